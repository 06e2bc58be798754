"""Demo accounts: platform staff, the demo university and a third-party depositor.

Idempotent: existing rows are kept (a password changed since is not reset).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from opencertif.accounts.perms import ACCOUNT_VALIDATION, DEPOSIT_IDENTIFIERS
from opencertif.core.text import identity_key
from opencertif.deposits.enums import AccountRole, Situation
from opencertif.deposits.models import Delegation, DepositAccount, Person
from opencertif.organisations.enums import OrganisationKind, Role
from opencertif.organisations.models import Membership, Organisation

STAFF = ("admin@opencertif.test", "demo-admin-2026", "Alix", "Admin")
UNIVERSITY = {
    "siret": "13000000000013",
    "name": "Université de démonstration",
    "commercial_name": "Campus Démo",
    "kind": OrganisationKind.HIGHER_EDUCATION,
    "manager": ("gestion@univ-demo.test", "demo-certif-2026", "Camille", "Gestion"),
    "id_client": "DEMO0001",
    "id_contract": "MCFCER000001",
}
THIRD_PARTY = {
    "siret": "13000000000021",
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
