import pytest

from opencertif.deposits import services
from opencertif.deposits.models import Delegation, DepositAccount
from opencertif.organisations.enums import Role
from opencertif.organisations.perms import NotFound
from tests import factories
from tests.factories import page

# Mails leave on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def university():
    org = factories.organisation("Université Alpha", siret="73282932000074")
    factories.manager(org, email="gestion@alpha.fr")
    return org


@pytest.fixture
def staff():
    return factories.staff()


def register(client, org, **data):
    return client.post(f"/instruction/organismes/{org.pk}/", data, follow=True)


def test_staff_register_identifiers_and_mail_them(client, university, staff, mailoutbox):
    client.force_login(staff)
    response = register(
        client, university, role="certifier", id_client="alph0001", id_contract="mcfcer000042"
    )
    assert "enregistrés et envoyés" in page(response)
    account = DepositAccount.objects.get()
    assert (account.id_client, account.id_contract) == ("ALPH0001", "MCFCER000042")
    assert account.notified_at is not None and account.activated_at is None
    assert mailoutbox[-1].to == ["gestion@alpha.fr"]
    assert "ALPH0001" in mailoutbox[-1].body and "MCFCER000042" in mailoutbox[-1].body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "certifier", "id_client": "ABC", "id_contract": "X1"}, "8"),
        ({"role": "certifier", "id_client": "ALPH0001", "id_contract": ""}, "idContrat"),
        ({"role": "certifier", "id_client": "ALPH-001", "id_contract": "X1"}, "8 caractères"),
        ({"role": "depositor", "id_client": "ALPH0001", "id_contract": "X1"}, "pas d'idContrat"),
    ],
)
def test_malformed_identifiers_are_refused(client, university, staff, data, message):
    client.force_login(staff)
    assert message in page(register(client, university, **data))
    assert not DepositAccount.objects.exists()


def test_an_id_client_belongs_to_one_organisation(client, university, staff):
    other = factories.organisation("Autre")
    DepositAccount.objects.create(organisation=other, role="depositor", id_client="ALPH0001")
    client.force_login(staff)
    html = page(
        register(client, university, role="certifier", id_client="ALPH0001", id_contract="C1")
    )
    assert "déjà attribué à un autre organisme" in html


def test_only_the_identifiers_role_registers(client, university):
    client.force_login(factories.staff("Validation des comptes"))
    response = client.post(
        f"/instruction/organismes/{university.pk}/",
        {"role": "certifier", "id_client": "ALPH0001", "id_contract": "C1"},
    )
    assert response.status_code == 403


@pytest.fixture
def accounts(university):
    certifier = DepositAccount.objects.create(
        organisation=university, role="certifier", id_client="ALPH0001", id_contract="C42"
    )
    return {"certifier": certifier}


def activate(client, org, **data):
    return client.post(f"/espace/organismes/{org.pk}/depot/", data, follow=True)


def test_situation_1_a_certifier_deposits_for_itself(client, university, accounts):
    client.force_login(university.memberships.get().user)
    html = page(
        activate(client, university, situation="self", id_client="alph0001", id_contract="C42")
    )
    assert "Droits de dépôt activés" in html
    accounts["certifier"].refresh_from_db()
    assert accounts["certifier"].is_active and accounts["certifier"].situation == "self"
    assert services.may_deposit(organisation=university, id_client="ALPH0001", id_contract="C42")
    assert not services.may_deposit(
        organisation=university, id_client="ALPH0001", id_contract="C43"
    )


def test_a_wrong_contract_or_another_organisations_id_client_is_refused(
    client, university, accounts
):
    other = factories.organisation("Autre")
    DepositAccount.objects.create(
        organisation=other, role="certifier", id_client="AUTR0001", id_contract="Z1"
    )
    client.force_login(university.memberships.get().user)
    html = page(
        activate(client, university, situation="self", id_client="ALPH0001", id_contract="C43")
    )
    assert "ne correspond pas à l'idClient ALPH0001" in html
    html = page(
        activate(client, university, situation="self", id_client="AUTR0001", id_contract="Z1")
    )
    assert "n'est pas enregistré comme idClient certificateur de votre organisme" in html
    assert not DepositAccount.objects.filter(activated_at__isnull=False).exists()


def test_situation_2_certifier_that_also_deposits_for_others(
    client, university, accounts, mailoutbox
):
    DepositAccount.objects.create(organisation=university, role="depositor", id_client="ALPH0002")
    partner = factories.organisation("École Beta")
    factories.manager(partner, email="gestion@beta.fr")
    DepositAccount.objects.create(
        organisation=partner,
        role="certifier",
        id_client="BETA0001",
        id_contract="B1",
        activated_at="2026-01-01T00:00:00Z",
    )
    client.force_login(university.memberships.get().user)
    html = page(
        activate(
            client,
            university,
            situation="both",
            id_client="ALPH0001",
            id_contract="C42",
            depositor_id_client="ALPH0002",
            certifier_id_clients="BETA0001",
        )
    )
    assert "Vous pouvez déposer pour : École Beta" in html
    delegation = Delegation.objects.get()
    assert (delegation.depositor.id_client, delegation.certifier.id_client) == (
        "ALPH0002",
        "BETA0001",
    )
    assert any(m.to == ["gestion@beta.fr"] for m in mailoutbox)
    assert services.may_deposit(organisation=university, id_client="BETA0001", id_contract="B1")
    assert services.may_deposit(organisation=university, id_client="ALPH0001", id_contract="C42")


def test_situation_3_a_third_party_depositor(client, university, accounts):
    accounts["certifier"].activated_at = "2026-01-01T00:00:00Z"
    accounts["certifier"].save()
    trusted = factories.organisation("Tiers de confiance")
    manager = factories.manager(trusted)
    DepositAccount.objects.create(organisation=trusted, role="depositor", id_client="TIER0001")
    client.force_login(manager)
    html = page(
        activate(
            client,
            trusted,
            situation="third_party",
            depositor_id_client="TIER0001",
            certifier_id_clients="ALPH0001",
        )
    )
    assert "Vous pouvez déposer pour : Université Alpha" in html
    assert services.may_deposit(organisation=trusted, id_client="ALPH0001", id_contract="C42")
    # two certifiers at once is not the third-party situation
    html = page(
        activate(
            client,
            trusted,
            situation="third_party",
            depositor_id_client="TIER0001",
            certifier_id_clients="ALPH0001\nBETA0001",
        )
    )
    assert "un certificateur à la fois" in html


def test_unknown_certifier_and_self_delegation_are_refused(client, university, accounts):
    DepositAccount.objects.create(organisation=university, role="depositor", id_client="ALPH0002")
    client.force_login(university.memberships.get().user)
    html = page(
        activate(
            client,
            university,
            situation="both",
            id_client="ALPH0001",
            id_contract="C42",
            depositor_id_client="ALPH0002",
            certifier_id_clients="NOPE0001",
        )
    )
    assert "Aucun certificateur n'est enregistré avec l'idClient NOPE0001" in html
    html = page(
        activate(
            client,
            university,
            situation="both",
            id_client="ALPH0001",
            id_contract="C42",
            depositor_id_client="ALPH0002",
            certifier_id_clients="ALPH0001",
        )
    )
    assert "ne se délègue pas à lui-même" in html
    assert not Delegation.objects.exists()
    # the whole activation is undone when one part fails
    assert not DepositAccount.objects.filter(activated_at__isnull=False).exists()


def test_the_certifier_can_revoke_a_delegation(client, university, accounts):
    accounts["certifier"].activated_at = "2026-01-01T00:00:00Z"
    accounts["certifier"].save()
    trusted = factories.organisation("Tiers de confiance")
    depositor = DepositAccount.objects.create(
        organisation=trusted,
        role="depositor",
        id_client="TIER0001",
        activated_at="2026-01-01T00:00:00Z",
    )
    delegation = Delegation.objects.create(depositor=depositor, certifier=accounts["certifier"])
    assert services.may_deposit(organisation=trusted, id_client="ALPH0001", id_contract="C42")
    client.force_login(university.memberships.get().user)
    html = page(client.get(f"/espace/organismes/{university.pk}/depot/"))
    assert "Tiers de confiance" in html
    client.post(f"/espace/organismes/{university.pk}/depot/delegations/{delegation.pk}/revoquer/")
    assert not services.may_deposit(organisation=trusted, id_client="ALPH0001", id_contract="C42")


def test_a_plain_member_sees_but_cannot_activate(client, university, accounts):
    member = factories.member(university)
    client.force_login(member)
    assert client.get(f"/espace/organismes/{university.pk}/depot/").status_code == 200
    response = client.post(
        f"/espace/organismes/{university.pk}/depot/",
        {"situation": "self", "id_client": "ALPH0001", "id_contract": "C42"},
    )
    assert response.status_code == 404
    accounts["certifier"].refresh_from_db()
    assert not accounts["certifier"].is_active


def test_the_identifiers_mail_links_to_the_deposit_rights_page(
    client, university, staff, mailoutbox
):
    client.force_login(staff)
    register(client, university, role="certifier", id_client="alph0001", id_contract="C42")
    assert f"/espace/organismes/{university.pk}/depot/" in mailoutbox[-1].body
    assert "http://testserver/espace/organismes/" in mailoutbox[-1].body


@pytest.mark.parametrize("role", ["member", "reader", "stranger"])
def test_only_who_may_change_the_deposit_rights_activates_or_revokes(university, accounts, role):
    """The services check the right themselves: a caller that skips the page's check
    still changes nothing."""
    if role == "stranger":
        user = factories.manager(factories.organisation("Autre"))
    else:
        user = factories.member(university, Role.MEMBER if role == "member" else Role.READER)
    with pytest.raises(NotFound):
        services.activate(
            organisation=university,
            situation="self",
            by=user,
            id_client="ALPH0001",
            id_contract="C42",
        )
    assert DepositAccount.objects.get(id_client="ALPH0001").activated_at is None
    depositor = DepositAccount.objects.create(
        organisation=factories.organisation("Tiers"), role="depositor", id_client="TIER0001"
    )
    delegation = Delegation.objects.create(depositor=depositor, certifier=accounts["certifier"])
    with pytest.raises(NotFound):
        services.revoke_delegation(delegation=delegation, by=user)
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    manager = university.memberships.get(role="manager").user
    services.revoke_delegation(delegation=delegation, by=manager)
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
