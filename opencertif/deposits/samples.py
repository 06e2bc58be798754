"""Sample deposit files for an organisation, from its accounts, fiches and demo people.

The sample has 20 passages: 17 that pass and one of each common mistake (a misspelt birth
name, incoherent validity dates, an unknown certification code), to see a whole report.
It is deterministic: downloaded twice, it is the same file (and deposited twice, it is
answered with the first report).
"""

import io

from opencertif.deposits.enums import AccountRole
from opencertif.deposits.format import writer
from opencertif.deposits.models import Delegation, DepositAccount
from opencertif.organisations.models import Organisation
from opencertif.people.models import Person
from opencertif.registry.models import Certification

GOOD = 17


class NoSample(Exception):
    """What is missing to build a sample (said to the user)."""


def accounts_for(organisation: Organisation) -> tuple[DepositAccount, DepositAccount]:
    """(emitter, certifier) accounts the organisation may deposit with."""
    own = (
        DepositAccount.objects.active()
        .filter(organisation=organisation, role=AccountRole.CERTIFIER)
        .first()
    )
    if own is not None:
        return own, own
    delegation = (
        Delegation.objects.active()
        .filter(depositor__organisation=organisation, depositor__activated_at__isnull=False)
        .select_related("depositor", "certifier")
        .first()
    )
    if delegation is None:
        raise NoSample(
            "Activez d'abord vos droits de dépôt (rubrique « Droits de dépôt » de l'organisme)."
        )
    return delegation.depositor, delegation.certifier


def sample_file(organisation: Organisation) -> bytes:
    emitter, certifier = accounts_for(organisation)
    fiches = list(
        Certification.objects.filter(
            certifier_links__organisation=certifier.organisation, is_active=True
        )
        .order_by("number")
        .values_list("register", "number")[:3]
    )
    if not fiches:
        raise NoSample("Le certificateur n'a aucune fiche active au répertoire.")
    people = list(
        Person.objects.filter(birth_month__isnull=False, birth_day__isnull=False)
        .exclude(birth_insee="")
        .order_by("pk")[: GOOD + 1]
    )
    if len(people) < GOOD + 1:
        raise NoSample(
            "La population de référence compte trop peu de personnes : chargez-la avec "
            "« opencertif import_persons » (ou « opencertif demo »)."
        )
    register, number = fiches[0]
    certification_type = register.upper()

    def passage(index: int, person: Person, **changes) -> dict:
        fields = {
            "obtained_by": "PAR_ADMISSION",
            "certified_data": True,
            "exam_start": "2026-06-15",
            "exam_end": "2026-06-16",
            "valid_from": "2026-07-01",
            "valid_until": None,
            "has_language_level": False,
            "has_digital_level": False,
            "score": None,
            "honours": "SANS_MENTION",
            "enrolment": {"access_mode": "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION"},
        }
        identity = {
            "birth_name": person.birth_name,
            "usage_name": person.usage_name or None,
            "first_name1": person.first_name1,
            "birth_year": person.birth_year,
            "birth_month": person.birth_month,
            "birth_day": person.birth_day,
            "sex": person.sex,
            "birth_insee": person.birth_insee,
        }
        fields.update(changes.pop("fields", {}))
        identity.update(changes.pop("identity", {}))
        return {
            "id_technique": f"EXEMPLE-{certifier.id_client}-{index:03d}",
            "fields": fields,
            "identity_kind": "holder",
            "identity": identity,
        }

    good = [passage(i + 1, person) for i, person in enumerate(people[:GOOD])]
    misspelt = people[GOOD]
    mistakes = [
        passage(GOOD + 1, misspelt, identity={"birth_name": misspelt.birth_name[:-1] + "X"}),
        passage(GOOD + 2, people[0], fields={"valid_until": "2026-01-01"}),
    ]
    unknown_code = f"{certification_type}{99999 if certification_type == 'RNCP' else 9999}"
    unknown = [passage(GOOD + 3, people[1])]
    out = io.StringIO()
    writer.write(
        out,
        id_flux=f"exemple-{certifier.id_client}-20",
        timestamp="2026-07-02T09:00:00+02:00",
        emitter_id_client=emitter.id_client,
        certifier_id_client=certifier.id_client,
        id_contract=certifier.id_contract,
        certifications=[
            (certification_type, number, good + mistakes),
            (certification_type, unknown_code, unknown),
        ],
        action="CREATION",
        nature="CERTIFICATEUR" if emitter == certifier else "TIERS_CONFIANCE",
    )
    return out.getvalue().encode("utf-8")
