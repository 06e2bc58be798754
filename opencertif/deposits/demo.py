"""Demo data: platform staff, the demo university and a third-party depositor with their
accounts, the reference population, and a year of deposits.

Idempotent: existing rows are kept (a password changed since is not reset).
"""

import datetime
import io
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencertif.accounts.perms import ACCOUNT_VALIDATION, DEPOSIT_IDENTIFIERS
from opencertif.core.text import identity_key
from opencertif.deposits import engine
from opencertif.deposits.enums import AccountRole, Channel, Situation
from opencertif.deposits.format import writer
from opencertif.deposits.models import Delegation, Deposit, DepositAccount, Passage
from opencertif.organisations.enums import OrganisationKind, Role
from opencertif.organisations.models import Membership, Organisation
from opencertif.people.models import Person
from opencertif.registry.demo import DEMO_THIRD_PARTY_SIRET, DEMO_UNIVERSITY_SIRET

STAFF = ("admin@opencertif.test", "demo-admin-2026", "Alix", "Admin")
UNIVERSITY = {
    "siret": DEMO_UNIVERSITY_SIRET,
    "name": "Université de démonstration",
    "commercial_name": "Campus Démo",
    "kind": OrganisationKind.HIGHER_EDUCATION,
    "manager": ("gestion@univ-demo.test", "demo-certif-2026", "Camille", "Gestion"),
    "id_client": "DEMO0001",
    "id_contract": "MCFCER000001",
}
THIRD_PARTY = {
    "siret": DEMO_THIRD_PARTY_SIRET,
    "name": "Tiers de confiance démo",
    "commercial_name": "Confiance Démo",
    "kind": OrganisationKind.COMPANY,
    "manager": ("depot@tiers-demo.test", "demo-tiers-2026", "Dominique", "Dépôt"),
    "id_client": "DEMO0002",
}


def _user(email: str, password: str, first_name: str, last_name: str, **extra):
    user_model = get_user_model()
    user = user_model.objects.filter(email=email).first()
    if user is None:
        user = user_model.objects.create_user(
            email,
            password,
            first_name=first_name,
            last_name=last_name,
            email_verified_at=timezone.now(),
            **extra,
        )
    return user


def _organisation(spec: dict) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        siret=spec["siret"],
        defaults={"name": spec["name"], "name_key": Organisation.key_for(spec["name"])},
    )
    if not organisation.kind:
        organisation.kind = spec["kind"]
        organisation.commercial_name = spec["commercial_name"]
        organisation.city = "Paris"
        organisation.save(update_fields=["kind", "commercial_name", "city"])
    user = _user(*spec["manager"])
    Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": Role.MANAGER}
    )
    return organisation


FIRST_NAMES = (
    ("Camille", "F"),
    ("Léa", "F"),
    ("Manon", "F"),
    ("Chloé", "F"),
    ("Inès", "F"),
    ("Sarah", "F"),
    ("Jade", "F"),
    ("Louise", "F"),
    ("Emma", "F"),
    ("Zoé", "F"),
    ("Lucas", "M"),
    ("Hugo", "M"),
    ("Nathan", "M"),
    ("Théo", "M"),
    ("Mathis", "M"),
    ("Enzo", "M"),
    ("Louis", "M"),
    ("Yanis", "M"),
    ("Noah", "M"),
    ("Jules", "M"),
)
BIRTH_NAMES = (
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèbvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "N'Diaye",
    "Le Goff",
)
TOWNS = ("75056", "69123", "13055", "31555", "33063", "59350", "44109", "67482", "35238")


def demo_people(count: int = 200):
    """Deterministic synthetic people (reference population of the demo)."""
    for index in range(count):
        first, sex = FIRST_NAMES[index % len(FIRST_NAMES)]
        birth_name = BIRTH_NAMES[(index * 7) % len(BIRTH_NAMES)]
        year = 1960 + (index * 13) % 45
        month = 1 + (index * 5) % 12
        day = 1 + (index * 11) % 28
        insee = TOWNS[index % len(TOWNS)]
        department = "2A" if insee.startswith("2A") else insee[:2]
        sex_digit = 1 if sex == "M" else 2
        nir = f"{sex_digit}{year % 100:02d}{month:02d}{department}{insee[2:]}{index % 1000:03d}"
        yield {
            "nir": nir,
            "birth_name": birth_name,
            "first_name1": first,
            "sex": sex,
            "birth_year": year,
            "birth_month": month,
            "birth_day": day,
            "birth_insee": insee,
        }


def _seed_people() -> None:
    if Person.objects.filter(nir__in=[p["nir"] for p in demo_people(3)]).count() == 3:
        return
    Person.objects.bulk_create(
        [
            Person(
                **person,
                birth_name_key=identity_key(person["birth_name"]),
                first_name_key=identity_key(person["first_name1"]),
                row_digest=person["nir"],
            )
            for person in demo_people()
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def seed() -> dict:
    """Create the demo accounts; return what exists afterwards."""
    staff = _user(*STAFF, is_staff=True, is_superuser=True)
    for name in (ACCOUNT_VALIDATION, DEPOSIT_IDENTIFIERS):
        staff.groups.add(Group.objects.get_or_create(name=name)[0])
    now = timezone.now()
    university = _organisation(UNIVERSITY)
    certifier, _ = DepositAccount.objects.get_or_create(
        id_client=UNIVERSITY["id_client"],
        defaults={
            "organisation": university,
            "role": AccountRole.CERTIFIER,
            "id_contract": UNIVERSITY["id_contract"],
            "registered_by": staff,
            "notified_at": now,
            "activated_at": now,
            "situation": Situation.SELF,
        },
    )
    third_party = _organisation(THIRD_PARTY)
    depositor, _ = DepositAccount.objects.get_or_create(
        id_client=THIRD_PARTY["id_client"],
        defaults={
            "organisation": third_party,
            "role": AccountRole.DEPOSITOR,
            "registered_by": staff,
            "notified_at": now,
            "activated_at": now,
            "situation": Situation.THIRD_PARTY,
        },
    )
    if not Delegation.objects.active().filter(depositor=depositor, certifier=certifier).exists():
        Delegation.objects.create(depositor=depositor, certifier=certifier, created_by=staff)
    _seed_people()
    return {"staff": staff, "university": university, "third_party": third_party}


# ------------------------------------------------------------------ demo passages

KIND_RULES = (
    (("ministere",), OrganisationKind.MINISTRY),
    (
        ("universite", "ecole superieure", "ecole nationale", "institut national"),
        OrganisationKind.HIGHER_EDUCATION,
    ),
    (("cpne", "commission paritaire"), OrganisationKind.CPNE),
    (
        ("chambre de commerce", "chambre de metiers", "chambre d agriculture"),
        OrganisationKind.PUBLIC_BODY,
    ),
    (("association",), OrganisationKind.ASSOCIATION),
)
DEMO_FILE_PREFIX = "demo-"
# The KO passage of the walkthrough: its birth year is one too many.
KO_BIRTH = "DEMO-KO-NAISSANCE"


def guess_kind(name: str) -> str:
    """The kind of a demo certifier, read from its name (a private training body else)."""
    folded = " ".join(Organisation.key_for(name).split())
    for words, kind in KIND_RULES:
        if any(folded.startswith(word) or f" {word}" in f" {folded}" for word in words):
            return kind
    return OrganisationKind.COMPANY


def _demo_passage(id_technique: str, person: Person, valid_from, **identity_changes) -> dict:
    identity = {
        "birth_name": person.birth_name,
        "usage_name": None,
        "first_name1": person.first_name1,
        "birth_year": person.birth_year,
        "birth_month": person.birth_month,
        "birth_day": person.birth_day,
        "sex": person.sex,
        "birth_insee": person.birth_insee,
    }
    identity.update(identity_changes)
    return {
        "id_technique": id_technique,
        "fields": {
            "obtained_by": "PAR_ADMISSION",
            "certified_data": True,
            "exam_start": (valid_from - datetime.timedelta(days=20)).isoformat(),
            "exam_end": (valid_from - datetime.timedelta(days=19)).isoformat(),
            "valid_from": valid_from.isoformat(),
            "valid_until": None,
            "has_language_level": False,
            "has_digital_level": False,
            "score": None,
            "honours": "SANS_MENTION",
            "enrolment": {"access_mode": "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION"},
        },
        "identity_kind": "holder",
        "identity": identity,
    }


def _deposit_demo_file(*, organisation, account, name, when, certifications, user=None) -> None:
    """Deposit one demo file through the engine, dated `when` (a past month)."""
    out = io.StringIO()
    writer.write(
        out,
        id_flux=f"{name}-{account.id_client}",
        timestamp=when.replace(microsecond=0).isoformat(),
        emitter_id_client=account.id_client,
        certifier_id_client=account.id_client,
        id_contract=account.id_contract,
        certifications=certifications,
        action="CREATION",
    )
    deposit = engine.receive(
        organisation=organisation,
        user=user,
        channel=Channel.CLI,
        name=f"{name}.xml",
        stream=io.BytesIO(out.getvalue().encode("utf-8")),
    )
    engine.process(deposit.pk)
    # Backdated, so that the statistics and the compliance pages have a past to show.
    Deposit.objects.filter(pk=deposit.pk).update(
        received_at=when, started_at=when, finished_at=when + datetime.timedelta(seconds=3)
    )
    Passage.objects.filter(last_deposit=deposit).update(created_at=when, updated_at=when)


def seed_passages(*, today: datetime.date | None = None) -> int:
    """Demo deposits of the last year: the university's (with the refused passages of the
    walkthrough, and certifications left without deposit: late) and those of a hundred
    other demo certifiers. Idempotent; returns the number of deposits made."""
    university = Organisation.objects.get(siret=UNIVERSITY["siret"])
    if Deposit.objects.filter(
        organisation=university, file_name__startswith=DEMO_FILE_PREFIX
    ).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(2026)
    people = list(Person.objects.filter(nir__in=[p["nir"] for p in demo_people()]).order_by("pk"))
    for organisation in Organisation.objects.filter(certifier_links__isnull=False, kind=""):
        organisation.kind = guess_kind(organisation.name)
        organisation.save(update_fields=["kind"])

    def moment(months_ago: int) -> datetime.datetime:
        day = today - datetime.timedelta(days=30 * months_ago + rng.randrange(0, 20))
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))

    made = 0
    account = DepositAccount.objects.get(id_client=UNIVERSITY["id_client"])
    manager = get_user_model().objects.get(email=UNIVERSITY["manager"][0])
    fiches = ("RNCP90001", "RNCP90002", "RNCP90003", "RS90001")
    counter = 0
    for step, months_ago in enumerate((11, 9, 7, 5, 3, 1)):
        when = moment(months_ago)
        certifications = []
        # Every other deposit names the other half of the fiches.
        for code in fiches[step % 2 :: 2]:
            batch = []
            for _ in range(12):
                person = people[counter % len(people)]
                # Deposited within 3 months of the jury, but for RNCP90003 one passage in
                # six, deposited too late: the compliance page has each case to show.
                late = code == "RNCP90003" and counter % 6 == 0
                delay = rng.randrange(120, 200) if late else rng.randrange(10, 80)
                valid_from = when.date() - datetime.timedelta(days=delay)
                batch.append(_demo_passage(f"DEMO-{code}-{counter:04d}", person, valid_from))
                counter += 1
            certifications.append(("RS" if code.startswith("RS") else "RNCP", code, batch))
        if months_ago == 1:
            person = people[5]
            certifications[0][2].append(
                _demo_passage(
                    KO_BIRTH,
                    person,
                    when.date() - datetime.timedelta(days=30),
                    birth_year=person.birth_year + 1,
                )
            )
            certifications[0][2].append(
                _demo_passage(
                    "DEMO-KO-NOM",
                    people[6],
                    when.date() - datetime.timedelta(days=30),
                    birth_name=people[6].birth_name + "e",
                )
            )
        _deposit_demo_file(
            organisation=university,
            account=account,
            name=f"{DEMO_FILE_PREFIX}{when:%Y-%m}",
            when=when,
            certifications=certifications,
            user=manager,
        )
        made += 1
    made += _seed_other_certifiers(rng, people, moment, today)
    return made


def _seed_other_certifiers(rng: random.Random, people: list, moment, today) -> int:
    """A hundred demo certifiers with deposit identifiers, most activated, half of those
    having deposited: the platform's statistics have something to count."""
    certifiers = list(
        Organisation.objects.filter(certifier_links__isnull=False)
        .exclude(siret__in=(UNIVERSITY["siret"], THIRD_PARTY["siret"]))
        .distinct()
        .order_by("name")
    )
    made = 0
    for index, organisation in enumerate(certifiers[:100], 1):
        account, created = DepositAccount.objects.get_or_create(
            organisation=organisation,
            role=AccountRole.CERTIFIER,
            defaults={"id_client": f"DM{index:06d}", "id_contract": f"MCFCER{index:06d}"},
        )
        if index % 4 == 0:
            continue  # identifiers registered, never activated
        if account.activated_at is None:
            account.activated_at = account.notified_at = timezone.now()
            account.situation = Situation.SELF
            account.save(update_fields=["activated_at", "notified_at", "situation"])
        if index % 2:
            continue  # activated, nothing deposited yet
        codes = list(
            organisation.certifier_links.filter(
                Q(certification__delivery_limit_date__isnull=True)
                | Q(certification__delivery_limit_date__gte=today),
                certification__is_active=True,
                certification__effect_date__lte=today - datetime.timedelta(days=400),
                certification__registration_end_date__gte=today,
            ).values_list("certification__number", "certification__register")[:2]
        )
        for deposit_number in range(1 + index % 3):
            when = moment(rng.randrange(0, 12))
            certifications = []
            for number, register in codes:
                batch = [
                    _demo_passage(
                        f"{account.id_client}-{deposit_number}-{number}-{n:03d}",
                        people[rng.randrange(len(people))],
                        when.date() - datetime.timedelta(days=rng.randrange(10, 70)),
                    )
                    for n in range(rng.randrange(4, 16))
                ]
                certifications.append((register.upper(), number, batch))
            if not certifications:
                break
            _deposit_demo_file(
                organisation=organisation,
                account=account,
                name=f"{DEMO_FILE_PREFIX}{account.id_client}-{deposit_number}",
                when=when,
                certifications=certifications,
            )
            made += 1
    return made
