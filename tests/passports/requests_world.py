"""A small world for the holders' requests: a certifier with a manager, a member and a
reader, a delegated depositor, another organisation, a matched holder with two
guaranteed certifications (one deposited by the depositor), another holder."""

from dataclasses import dataclass

from opencertif.deposits.enums import AccountRole, Channel
from opencertif.deposits.models import Deposit, DepositAccount
from opencertif.organisations.enums import Role
from tests import factories
from tests.passports import factories as passport_factories


@dataclass
class World:
    certifier: object
    account: object
    manager: object
    member: object
    reader: object
    depositor: object
    depositor_member: object
    other: object
    other_manager: object
    holder: object
    certification: object
    passage: object
    delegated_passage: object
    other_holder: object
    other_passage: object


def delegated_deposit(depositor, account) -> Deposit:
    """A deposit the depositor made for the certifier's account."""
    return Deposit.objects.create(
        organisation=depositor,
        channel=Channel.WEB,
        file_name="delegue.xml",
        stored_path="deposits/delegue.xml.gz",
        size=100,
        sha256="d" * 64,
        certifier_account=account,
    )


def build() -> World:
    certifier, account = passport_factories.certifier("Université Alpha")
    depositor = factories.organisation("Tiers Déposant")
    DepositAccount.objects.create(
        organisation=depositor, role=AccountRole.DEPOSITOR, id_client="TIER0001"
    )
    other = factories.organisation("Organisme Bêta")
    certification = passport_factories.certification(organisation=certifier)
    second = passport_factories.certification(organisation=certifier)
    person = passport_factories.person()
    holder = passport_factories.holder(person, email="camille@example.test")
    passage = passport_factories.passage(account, person, certification)
    delegated_passage = passport_factories.passage(account, person, second)
    delegated_passage.last_deposit = delegated_deposit(depositor, account)
    delegated_passage.save(update_fields=["last_deposit"])
    other_person = passport_factories.person("DURAND", "Louis", birth_year=1985)
    other_holder = passport_factories.holder(other_person)
    other_passage = passport_factories.passage(account, other_person, certification)
    return World(
        certifier=certifier,
        account=account,
        manager=factories.manager(certifier, email="gestion@alpha.test"),
        member=factories.member(certifier, email="membre@alpha.test"),
        reader=factories.member(certifier, Role.READER, email="lecteur@alpha.test"),
        depositor=depositor,
        depositor_member=factories.member(depositor, email="depot@tiers.test"),
        other=other,
        other_manager=factories.manager(other, email="gestion@beta.test"),
        holder=holder,
        certification=certification,
        passage=passage,
        delegated_passage=delegated_passage,
        other_holder=other_holder,
        other_passage=other_passage,
    )
