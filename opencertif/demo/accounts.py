"""The demo's accounts: platform staff, the demo university (a certifier, DEMO0001) and a
third-party depositor (DEMO0002) with their managers, deposit identifiers and delegation,
and the reference population.

Idempotent: existing rows are kept (a password changed since is not reset).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from opencertif.accounts.perms import ACCOUNT_VALIDATION, DEPOSIT_IDENTIFIERS
from opencertif.demo.people import seed_people
from opencertif.demo.registry import DEMO_THIRD_PARTY_SIRET, DEMO_UNIVERSITY_SIRET
from opencertif.deposits.enums import AccountRole, Situation
from opencertif.deposits.models import Delegation, DepositAccount
from opencertif.organisations.enums import OrganisationKind, Role
from opencertif.organisations.models import Membership, Organisation

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
    seed_people()
    return {"staff": staff, "university": university, "third_party": third_party}
