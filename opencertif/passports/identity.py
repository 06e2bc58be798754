"""Who a holder is: the identity their identity provider vouches for (FranceConnect's
claims), matched on the **whole** identity against the reference population, and the
sign-in that keeps their `Holder` up to date.

Matching is stricter than a deposit's funnel: first given name, birth name, sex, full
birth date and birth place must designate exactly one person. Names are folded as for the
deposits (`core.text.identity_key`) and places compared as for the deposits
(`people.identity.place_matches`). Anything less (nobody, several people, an incomplete
identity) leaves the passport empty: a homonym never sees somebody else's passport.
"""

import datetime
import re
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from opencertif.core import audit
from opencertif.core.text import identity_key
from opencertif.passports.enums import MatchOutcome
from opencertif.passports.models import Holder
from opencertif.people.enums import Sex
from opencertif.people.identity import place_matches
from opencertif.people.models import Person

# FranceConnect names countries by their 5-digit COG code (99xxx); France is 99100.
FRANCE = "99100"
COUNTRY_CODE = re.compile(r"^99[0-9]{3}$")
# A French town's INSEE code: 5 characters, Corsica's departments 2A and 2B.
TOWN_CODE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
GENDERS = {"male": Sex.MALE, "female": Sex.FEMALE}
# Accounts of holders whose provider gave no usable address get one that routes nowhere.
NO_MAIL_DOMAIN = "titulaires.invalid"
KEY_LENGTH = 60  # Person.birth_name_key / first_name_key


@dataclass(frozen=True)
class ClaimedIdentity:
    """The identity the provider vouches for, as the matching needs it."""

    first_name: str
    birth_name: str
    sex: str
    birth_date: datetime.date
    # A French town's INSEE code, or the country's COG code (99xxx) for people born abroad.
    birth_place: str

    @property
    def first_name_key(self) -> str:
        return identity_key(self.first_name)[:KEY_LENGTH]

    @property
    def birth_name_key(self) -> str:
        return identity_key(self.birth_name)[:KEY_LENGTH]


def _text(claims: dict, name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_claims(claims: dict) -> ClaimedIdentity | None:
    """The identity of FranceConnect-shaped claims, or None when a part is missing or
    malformed: `given_name` (several given names separated by spaces, the first counts),
    `family_name` (birth name), `birthdate` (YYYY-MM-DD), `gender` (male/female),
    `birthplace` (INSEE code of the town, empty for people born abroad), `birthcountry`
    (5-digit COG code, 99100 for France)."""
    given = _text(claims, "given_name").split()
    first_name = given[0] if given else ""
    birth_name = _text(claims, "family_name")
    if not identity_key(first_name) or not identity_key(birth_name):
        return None
    sex = GENDERS.get(_text(claims, "gender").lower())
    if sex is None:
        return None
    try:
        birth_date = datetime.date.fromisoformat(_text(claims, "birthdate"))
    except ValueError:
        return None
    if len(_text(claims, "birthdate")) != 10:  # "1990-04-12" only, not "19900412"
        return None
    country = _text(claims, "birthcountry")
    if not COUNTRY_CODE.match(country):
        return None
    if country == FRANCE:
        place = _text(claims, "birthplace").upper()
        if not TOWN_CODE.match(place):
            return None
    else:
        place = country
    return ClaimedIdentity(first_name, birth_name, sex, birth_date, place)


def match_identity(claims: dict) -> tuple[MatchOutcome, Person | None]:
    """Match FranceConnect-shaped claims against the reference population on the whole
    identity. Exactly one person → (MATCHED, person); nobody → (NONE, None); several →
    (SEVERAL, None); a claim missing or malformed → (INCOMPLETE, None). Never fuzzy."""
    identity = parse_claims(claims)
    if identity is None:
        return MatchOutcome.INCOMPLETE, None
    candidates = Person.objects.filter(
        birth_name_key=identity.birth_name_key,
        first_name_key=identity.first_name_key,
        sex=identity.sex,
        birth_year=identity.birth_date.year,
        birth_month=identity.birth_date.month,
        birth_day=identity.birth_date.day,
    ).values("pk", "birth_insee", "birth_postal_code", "birth_country")
    place = {"birth_insee": identity.birth_place}
    found = [person["pk"] for person in candidates if place_matches(person, place)]
    if not found:
        return MatchOutcome.NONE, None
    if len(found) > 1:
        return MatchOutcome.SEVERAL, None
    return MatchOutcome.MATCHED, Person.objects.get(pk=found[0])


def claims_of(person: Person) -> dict:
    """FranceConnect-shaped claims of a person of the reference population, as their
    provider would send them (the development provider signs in with these)."""
    born_abroad = person.birth_insee.startswith("99")
    if born_abroad:
        place, country = "", person.birth_insee
    elif person.birth_insee:
        place, country = person.birth_insee, FRANCE
    elif person.birth_country and person.birth_country.zfill(3) != FRANCE[2:]:
        place, country = "", f"99{person.birth_country.zfill(3)}"
    else:
        place, country = "", FRANCE
    if person.birth_month and person.birth_day:
        birthdate = f"{person.birth_year:04d}-{person.birth_month:02d}-{person.birth_day:02d}"
    else:
        birthdate = ""
    return {
        "given_name": " ".join(
            name for name in (person.first_name1, person.first_name2, person.first_name3) if name
        ),
        "family_name": person.birth_name,
        "birthdate": birthdate,
        "gender": {Sex.MALE: "male", Sex.FEMALE: "female"}[person.sex],
        "birthplace": place,
        "birthcountry": country,
    }


def _usable_email(claims: dict) -> str:
    """The `email` claim when it is a valid address no account uses yet, else ""."""
    email = _text(claims, "email").lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        return ""
    if get_user_model().objects.filter(email__iexact=email).exists():
        return ""
    return email


def _names(claims: dict) -> dict:
    given = _text(claims, "given_name").split()
    return {
        "first_name": (given[0] if given else "")[:150],
        "last_name": _text(claims, "family_name")[:150],
    }


def _create_holder(subject: str, claims: dict) -> Holder:
    email = _usable_email(claims) or f"{uuid.uuid4().hex}@{NO_MAIL_DOMAIN}"
    # No password: a holder signs in through their identity provider only.
    user = get_user_model().objects.create_user(email, password=None, **_names(claims))
    return Holder.objects.create(user=user, subject=subject, match_outcome=MatchOutcome.NONE)


def sign_in_holder(*, subject: str, claims: dict) -> Holder:
    """Sign a holder in: find their `Holder` by the provider's subject (`sub`), or create
    it with its `User` (the `email` claim when valid and free, else an address under
    `titulaires.invalid`; no usable password; names from the claims). The identity is
    matched again at every sign-in (`match_identity`) and the outcome, the person and the
    time stored; nothing else of the claims is kept. Audited without the identity."""
    if not subject:
        raise ValueError("Le fournisseur d'identité n'a pas transmis d'identifiant (sub).")
    outcome, person = match_identity(claims)
    with transaction.atomic():
        holder = (
            Holder.objects.select_for_update().select_related("user").filter(subject=subject)
        ).first()
        created = holder is None
        if created:
            try:
                with transaction.atomic():
                    holder = _create_holder(subject, claims)
            except IntegrityError:
                # The same holder signing in twice at once: the other request created it.
                holder = Holder.objects.select_for_update().select_related("user")
                holder = holder.get(subject=subject)
                created = False
        user = holder.user
        names = _names(claims)
        email = "" if created else _usable_email(claims)
        if email and user.email.endswith(f"@{NO_MAIL_DOMAIN}"):
            names["email"] = email
        changed = [field for field, value in names.items() if getattr(user, field) != value]
        for field in changed:
            setattr(user, field, names[field])
        if changed:
            user.save(update_fields=changed)
        previous = holder.person_id
        holder.person = person
        holder.match_outcome = outcome
        holder.matched_at = timezone.now()
        holder.save(update_fields=["person", "match_outcome", "matched_at"])
        audit.record(
            actor=user,
            action="holder.signed_in",
            obj=holder,
            summary="Connexion au passeport",
            changes={
                "outcome": outcome.value,
                "created": created,
                "person_changed": previous != holder.person_id,
            },
        )
    return holder
