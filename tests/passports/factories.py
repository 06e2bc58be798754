"""Holders, their people and guaranteed passages, for the passport's tests."""

import datetime
import itertools

from opencertif.core.text import identity_key
from opencertif.deposits.enums import AccountRole, PassageStatus
from opencertif.deposits.models import DepositAccount, Passage
from opencertif.passports.enums import MatchOutcome
from opencertif.passports.models import Holder
from opencertif.people.models import Person
from opencertif.registry.models import Block, Certification, CertifierLink
from tests import factories

_numbers = itertools.count(1)


def person(birth_name="MARTIN", first_name="Camille", **fields) -> Person:
    values = {
        "birth_name": birth_name,
        "first_name1": first_name,
        "sex": "F",
        "birth_year": 1990,
        "birth_month": 4,
        "birth_day": 12,
        "birth_insee": "75056",
        "birth_country": "",
    }
    values.update(fields)
    return Person.objects.create(
        birth_name_key=identity_key(values["birth_name"]),
        first_name_key=identity_key(values["first_name1"]),
        **values,
    )


def holder(person=None, *, email=None, user=None) -> Holder:
    user = user or factories.user(email or f"titulaire{next(_numbers)}@example.test")
    return Holder.objects.create(
        user=user,
        person=person,
        match_outcome=MatchOutcome.MATCHED if person else MatchOutcome.NONE,
    )


def certifier(name=None):
    """An organisation with an activated certifier deposit account."""
    organisation = factories.organisation(name)
    number = next(_numbers)
    account = DepositAccount.objects.create(
        organisation=organisation,
        role=AccountRole.CERTIFIER,
        id_client=f"PASS{number:04d}",
        id_contract=f"P{number}",
    )
    return organisation, account


def certification(number=None, *, organisation=None, level="6", blocks=()) -> Certification:
    number = number or f"RNCP{80000 + next(_numbers)}"
    register = "rs" if number.startswith("RS") else "rncp"
    created = Certification.objects.create(
        number=number, register=register, title=f"Titre {number}", level=level, is_active=True
    )
    if organisation:
        CertifierLink.objects.create(certification=created, organisation=organisation)
    for position, (code, label, competences) in enumerate(blocks):
        Block.objects.create(
            certification=created,
            code=code,
            label=label,
            competences=competences,
            position=position,
        )
    return created


def passage(account, person, certification, *, status=PassageStatus.OK, **fields) -> Passage:
    valid_from = fields.pop("valid_from", datetime.date(2025, 6, 30))
    data = {"valid_from": valid_from.isoformat(), "honours": "MENTION_BIEN", **fields}
    return Passage.objects.create(
        certifier=account,
        id_technique=f"PP{next(_numbers)}",
        status=status,
        person=person,
        certification=certification,
        certification_type=certification.register.upper(),
        certification_code=certification.number,
        valid_from=valid_from,
        fields=data,
        content_hash=f"{next(_numbers):032d}",
    )
