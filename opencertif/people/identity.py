"""Finding the holder of a passage in the reference population (Person).

Three ways to name a holder: NIR + birth name, a CPF training dossier, or the detailed
identity. The detailed identity is matched on folded keys (upper case; accents, hyphens,
apostrophes and spaces folded away): birth name + first name + sex + birth year, then the
birth place, refined by birth month and day when several people remain. Messages follow
the official wording.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from opencertif.core.text import identity_key
from opencertif.people.models import Person, TrainingDossier

NO_MATCH = "Aucun titulaire ne correspond aux critères obligatoires"
NO_MATCH_PLACE = "Aucun titulaire ne correspond aux critères de reconciliation"
NO_MATCH_REFINED = (
    "Aucun titulaire ne correspond aux critères obligatoires enrichis du jour et du mois de "
    "naissance"
)
AMBIGUOUS = (
    "Plusieurs titulaires ont été identifiés : l'identité est ambiguë ; indiquez le jour et le "
    "mois de naissance, ou le NIR"
)
NIR_UNKNOWN = "Aucun titulaire ne correspond à ce NIR"
NIR_NAME = "Le nom de naissance ne correspond pas au titulaire de ce NIR"
DOSSIER_UNKNOWN = "Aucun dossier de formation ne correspond à cet identifiant"
DOSSIER_NAME = "Le nom ou le prénom ne correspond pas au titulaire de ce dossier de formation"
MAX_NEAR_MISSES = 3
MAX_DISTANCE = 2


@dataclass
class MatchResult:
    person_id: int | None
    message: str = ""
    near_misses: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.person_id is not None


_FIELDS = (
    "pk",
    "nir",
    "birth_name_key",
    "first_name_key",
    "sex",
    "birth_year",
    "birth_month",
    "birth_day",
    "birth_insee",
    "birth_postal_code",
    "birth_country",
)


def distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """Levenshtein distance, giving up (limit + 1) as soon as it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _place_matches(person: dict, identity: dict) -> bool:
    insee = (identity.get("birth_insee") or "").strip().upper()
    postal = (identity.get("birth_postal_code") or "").strip()
    country = (identity.get("birth_country") or "").strip()
    if insee:
        if insee.startswith("99"):
            return person["birth_insee"] == insee or person["birth_country"] == insee[2:]
        return person["birth_insee"] == insee
    if postal:
        return person["birth_postal_code"] == postal
    if country:
        return person["birth_country"] == country
    # Birth place given as nil: the place cannot rule anybody out.
    return True


def place_matches(person: dict, identity: dict) -> bool:
    """Whether a person's birth place (`Person` fields as a dict) agrees with an identity's
    (`birth_insee`, a `99xxx` code for a country; `birth_postal_code`; `birth_country`),
    compared as for a deposit."""
    return _place_matches(person, identity)


def _match_holder(identity: dict, candidates: list[dict]) -> MatchResult:
    name = identity_key(identity.get("birth_name") or "")
    first = identity_key(identity.get("first_name1") or "")
    same = [
        person
        for person in candidates
        if person["birth_name_key"] == name
        and person["first_name_key"] == first
        and person["sex"] == identity.get("sex")
        and person["birth_year"] == identity.get("birth_year")
    ]
    if not same:
        return MatchResult(None, NO_MATCH)
    placed = [person for person in same if _place_matches(person, identity)]
    if not placed:
        return MatchResult(
            None,
            NO_MATCH_PLACE,
            ["Le lieu de naissance diffère : vérifiez le code INSEE ou le code postal."],
        )
    if len(placed) == 1:
        return MatchResult(placed[0]["pk"])
    month, day = identity.get("birth_month"), identity.get("birth_day")
    refined = [
        person
        for person in placed
        if (month is None or person["birth_month"] == month)
        and (day is None or person["birth_day"] == day)
    ]
    if not refined:
        return MatchResult(None, NO_MATCH_REFINED)
    if len(refined) == 1:
        return MatchResult(refined[0]["pk"])
    return MatchResult(None, AMBIGUOUS)


def _near_misses(identity: dict) -> list[str]:
    """Up to three people born the same day, of the same sex, whose names are close: say
    which field differs, never who they are."""
    month, day = identity.get("birth_month"), identity.get("birth_day")
    if not month or not day:
        return []
    name = identity_key(identity.get("birth_name") or "")
    first = identity_key(identity.get("first_name1") or "")
    hints = []
    people = Person.objects.filter(
        sex=identity.get("sex"),
        birth_year=identity.get("birth_year"),
        birth_month=month,
        birth_day=day,
    ).values("birth_name_key", "first_name_key", "birth_insee", "birth_postal_code")
    for person in people.iterator(chunk_size=500):
        name_gap = distance(name, person["birth_name_key"])
        first_gap = distance(first, person["first_name_key"])
        if name_gap + first_gap == 0:
            hints.append(
                "Une personne née le même jour, de même sexe et de même nom existe : "
                "vérifiez le lieu de naissance."
            )
        elif name_gap <= MAX_DISTANCE and first_gap == 0:
            hints.append(
                f"Nom de naissance proche d'une personne née le même jour ({name_gap} "
                "caractère(s) d'écart) : vérifiez l'orthographe du nom de naissance."
            )
        elif first_gap <= MAX_DISTANCE and name_gap == 0:
            hints.append(
                f"Prénom proche d'une personne née le même jour ({first_gap} "
                "caractère(s) d'écart) : vérifiez l'orthographe du prénom."
            )
        elif name_gap <= 1 and first_gap <= 1:
            hints.append(
                "Nom et prénom proches d'une personne née le même jour : vérifiez leur orthographe."
            )
        if len(hints) >= MAX_NEAR_MISSES:
            break
    return hints


def match(items: list[tuple[str, dict]]) -> list[MatchResult]:
    """Match a batch of (identity kind, identity) with few queries; same order as given."""
    nirs = {identity.get("nir", "").upper() for kind, identity in items if kind == "national_id"}
    by_nir: dict[str, dict] = {}
    if nirs:
        for person in Person.objects.filter(nir__in=nirs).values(*_FIELDS):
            by_nir[person["nir"]] = person
    dossiers = {identity.get("dossier_id", "") for kind, identity in items if kind == "dossier"}
    by_dossier: dict[str, dict] = {}
    if dossiers:
        for dossier_id, person_id, birth_key, usage, first_key in TrainingDossier.objects.filter(
            dossier_id__in=dossiers
        ).values_list(
            "dossier_id",
            "person_id",
            "person__birth_name_key",
            "person__usage_name",
            "person__first_name_key",
        ):
            by_dossier[dossier_id] = {
                "pk": person_id,
                "names": {birth_key, identity_key(usage or "")},
                "first": first_key,
            }
    keys = {
        identity_key(identity.get("birth_name") or "")
        for kind, identity in items
        if kind == "holder"
    }
    candidates: dict[tuple[str, int], list[dict]] = defaultdict(list)
    if keys:
        for person in Person.objects.filter(birth_name_key__in=keys).values(*_FIELDS):
            candidates[(person["birth_name_key"], person["birth_year"])].append(person)

    results = []
    for kind, identity in items:
        if kind == "national_id":
            person = by_nir.get((identity.get("nir") or "").upper())
            if person is None:
                result = MatchResult(None, NIR_UNKNOWN)
            elif person["birth_name_key"] != identity_key(identity.get("birth_name") or ""):
                result = MatchResult(None, NIR_NAME)
            else:
                result = MatchResult(person["pk"])
        elif kind == "dossier":
            found = by_dossier.get(identity.get("dossier_id") or "")
            if found is None:
                result = MatchResult(None, DOSSIER_UNKNOWN)
            elif (
                identity_key(identity.get("dossier_name") or "") not in found["names"]
                or identity_key(identity.get("dossier_first_name") or "") != found["first"]
            ):
                result = MatchResult(None, DOSSIER_NAME)
            else:
                result = MatchResult(found["pk"])
        else:
            key = (identity_key(identity.get("birth_name") or ""), identity.get("birth_year"))
            result = _match_holder(identity, candidates.get(key, []))
            if result.message in (NO_MATCH, NO_MATCH_REFINED):
                result.near_misses = _near_misses(identity)
        results.append(result)
    return results
