"""Links in mails point at the address the site is served at: the request's when a page
acts, SITE_URL when the worker or the CLI sends."""

import re

import pytest
from django.test import Client
from django.urls import resolve

from opencertif.deposits import services as deposit_services
from opencertif.deposits.models import DepositAccount
from opencertif.organisations import services
from opencertif.organisations.models import AccountRequest, Invitation, JoinRequest
from tests import factories

# Mails leave on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

SERVED_AT = "http://127.0.0.1:8101"
SITE_URL = "https://certif.example.fr"


@pytest.fixture(autouse=True)
def site_url(settings):
    # Something else than the address the requests come to.
    settings.SITE_URL = SITE_URL


@pytest.fixture
def client():
    return Client(HTTP_HOST="127.0.0.1:8101", SERVER_PORT="8101")


def links(messages) -> list[str]:
    found = [link for m in messages for link in re.findall(r"https?://[^\s)]+", m.body)]
    assert found, [m.subject for m in messages]
    return found


def assert_served_address(messages):
    for link in links(messages):
        assert link.startswith(SERVED_AT + "/"), link
        resolve(path(link).split("?")[0])  # a page of the site, not a made-up path


def path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def identity(**extra) -> dict:
    return {
        "first_name": "Claire",
        "last_name": "Martin",
        "job_title": "Directrice",
        "email": "claire@martin.fr",
        "phone": "0102030405",
        "password1": factories.PASSWORD,
        "password2": factories.PASSWORD,
        **extra,
    }


def test_sign_up_activation_staff_notice_validation_and_rejection(client, mailoutbox):
    validator = factories.staff()
    client.post("/espace/inscription/etape-1/", {"kind": "company"})
    client.post(
        "/espace/inscription/etape-2/",
        {"has_siret": "oui", "siret": "73282932000074", "name": "Formations Martin SAS"},
    )
    client.post(
        "/espace/inscription/etape-3/",
        {"legal_proof": factories.pdf(), "requester_named_on_proof": "oui"},
    )
    client.post("/espace/inscription/etape-4/", identity())
    assert_served_address(mailoutbox)  # activation
    activation = links(mailoutbox)[0]
    mailoutbox.clear()
    client.post("/espace/inscription/renvoyer-le-lien/", {"email": "claire@martin.fr"})
    assert_served_address(mailoutbox)  # resent activation
    mailoutbox.clear()
    client.get(path(activation))
    assert any(m.to == [validator.email] for m in mailoutbox)
    assert_served_address(mailoutbox)  # staff notice

    mailoutbox.clear()
    client.force_login(validator)
    request = AccountRequest.objects.get()
    client.post(f"/instruction/comptes/{request.pk}/", {"action": "accepter"})
    assert_served_address(mailoutbox)  # welcome, with the identifier
    assert any("/connexion/" in link for link in links(mailoutbox))


def test_a_rejection(client, mailoutbox):
    requester = factories.user("claire@martin.fr", is_active=False)
    request = AccountRequest.objects.create(user=requester, name="X", state="submitted")
    client.force_login(factories.staff())
    client.post(f"/instruction/comptes/{request.pk}/", {"action": "refuser", "reason": "Kbis."})
    assert_served_address(mailoutbox)


def test_join_form_and_the_managers_decision(client, mailoutbox):
    org = factories.organisation("Université Alpha", siret="73282932000074")
    boss = factories.manager(org, email="chef@alpha.fr")
    client.post("/espace/inscription/rejoindre/", identity(siret="73282932000074"))
    assert_served_address(mailoutbox)
    activation = links(mailoutbox)[0]
    mailoutbox.clear()
    client.get(path(activation))
    assert any(m.to == ["chef@alpha.fr"] for m in mailoutbox)
    assert_served_address(mailoutbox)
    mailoutbox.clear()
    client.force_login(boss)
    join = JoinRequest.objects.get()
    client.post(f"/espace/organismes/{org.pk}/rattachements/{join.pk}/accepter/")
    assert_served_address(mailoutbox)
    mailoutbox.clear()
    client.logout()
    client.post("/espace/inscription/rejoindre/", identity(siret="35600000000048", email="x@y.fr"))
    assert_served_address(mailoutbox)  # "no organisation with that SIRET"


def test_invitation_and_its_welcome(client, mailoutbox):
    org = factories.organisation("Université Alpha")
    client.force_login(factories.manager(org))
    client.post(f"/espace/organismes/{org.pk}/invitations/", {"email": "a@b.fr", "role": "member"})
    assert_served_address(mailoutbox)
    assert path(links(mailoutbox)[0]) == f"/espace/invitation/{Invitation.objects.get().token}/"
    mailoutbox.clear()
    client.logout()
    client.post(
        f"/espace/invitation/{Invitation.objects.get().token}/",
        {
            "first_name": "Ana",
            "last_name": "B",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
    )
    assert_served_address(mailoutbox)


def test_unlock_forgotten_identifier_and_password_reset(client, mailoutbox, settings):
    person = factories.user("ada@exemple.fr")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/connexion/", {"username": person.email, "password": "mauvais"})
    assert_served_address(mailoutbox)
    assert "/connexion/debloquer/" in links(mailoutbox)[0]
    mailoutbox.clear()
    client.post("/connexion/identifiant-oublie/", {"email": person.email})
    assert_served_address(mailoutbox)
    mailoutbox.clear()
    client.post("/connexion/mot-de-passe-oublie/", {"email": person.email})
    assert_served_address(mailoutbox)


def test_deposit_identifiers_and_delegations(client, mailoutbox):
    university = factories.organisation("Université Alpha", siret="73282932000074")
    factories.manager(university, email="gestion@alpha.fr")
    client.force_login(factories.staff())
    client.post(
        f"/instruction/organismes/{university.pk}/",
        {"role": "certifier", "id_client": "ALPH0001", "id_contract": "C42"},
    )
    assert_served_address(mailoutbox)
    mailoutbox.clear()
    account = DepositAccount.objects.get()
    client.post(f"/instruction/organismes/{university.pk}/identifiants/{account.pk}/renvoyer/")
    assert_served_address(mailoutbox)

    mailoutbox.clear()
    trusted = factories.organisation("Tiers de confiance")
    DepositAccount.objects.create(organisation=trusted, role="depositor", id_client="TIER0001")
    client.force_login(factories.manager(trusted))
    client.post(
        f"/espace/organismes/{trusted.pk}/depot/",
        {
            "situation": "third_party",
            "depositor_id_client": "TIER0001",
            "certifier_id_clients": "ALPH0001",
        },
    )
    assert [m.to for m in mailoutbox] == [["gestion@alpha.fr"]]
    assert_served_address(mailoutbox)


def test_the_account_page(client, mailoutbox):
    person = factories.user("ada@exemple.fr")
    client.force_login(person)
    client.post("/compte/adresse/", {"email": "ada2@exemple.fr", "password": factories.PASSWORD})
    assert_served_address(mailoutbox)
    mailoutbox.clear()
    client.post(
        "/compte/mot-de-passe/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "une-toute-nouvelle-phrase",
            "new_password2": "une-toute-nouvelle-phrase",
        },
    )
    assert_served_address(mailoutbox)


def test_mails_sent_outside_a_request_use_site_url(mailoutbox):
    org = factories.organisation("Université Alpha")
    boss = factories.manager(org)
    services.invite(organisation=org, email="a@b.fr", role="reader", by=boss)
    invitation = Invitation.objects.get()
    assert links(mailoutbox) == [f"{SITE_URL}/espace/invitation/{invitation.token}/"]
    assert "comme lecteur (consultation seule)" in mailoutbox[0].body
    mailoutbox.clear()
    services.send_activation(user=factories.user(is_active=False))
    assert resolve(path(links(mailoutbox)[0])).url_name == "activate"
    account = DepositAccount.objects.create(
        organisation=org, role="certifier", id_client="ALPH0001", id_contract="C42"
    )
    deposit_services.notify_identifiers(account=account, by=None)
    for link in links(mailoutbox):
        assert link.startswith(SITE_URL + "/"), link
