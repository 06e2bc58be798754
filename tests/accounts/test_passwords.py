"""Every form that sets a password asks for at least 12 characters and says so."""

import pytest

from opencertif.accounts import passwords
from opencertif.organisations.models import Invitation
from tests import factories
from tests.factories import page

pytestmark = pytest.mark.django_db(transaction=True)

SHORT = "Azerty-2026"  # 11 characters, otherwise acceptable
LONG_ENOUGH = "Azerty-2026!"  # 12
TOO_SHORT = "au minimum 12 caractères"


def identity(password: str, **extra) -> dict:
    return {
        "first_name": "Paul",
        "last_name": "Nouveau",
        "job_title": "Chargé de scolarité",
        "email": "paul@alpha.fr",
        "phone": "0102030405",
        "password1": password,
        "password2": password,
        **extra,
    }


def test_the_settings_ask_for_12_characters_and_the_help_text_says_it():
    assert passwords.minimum_length() == 12
    assert "Au moins 12 caractères" in str(passwords.HELP_TEXT)


def test_the_sign_up_refuses_11_characters(client):
    client.post("/espace/inscription/etape-1/", {"kind": "company"})
    client.post(
        "/espace/inscription/etape-2/",
        {"has_siret": "oui", "siret": "73282932000074", "name": "Formations Martin SAS"},
    )
    client.post(
        "/espace/inscription/etape-3/",
        {"legal_proof": factories.pdf(), "requester_named_on_proof": "oui"},
    )
    form = client.get("/espace/inscription/etape-4/")
    assert "Au moins 12 caractères" in page(form)
    response = client.post("/espace/inscription/etape-4/", identity(SHORT))
    assert response.status_code == 200 and TOO_SHORT in page(response)
    response = client.post("/espace/inscription/etape-4/", identity(LONG_ENOUGH))
    assert response.status_code == 302


def test_the_join_form_refuses_11_characters(client, mailoutbox):
    assert "Au moins 12 caractères" in page(client.get("/espace/inscription/rejoindre/"))
    response = client.post(
        "/espace/inscription/rejoindre/", identity(SHORT, siret="73282932000074")
    )
    assert TOO_SHORT in page(response)
    assert mailoutbox == []


def test_an_invitation_refuses_11_characters(client):
    org = factories.organisation("Université Alpha")
    boss = factories.manager(org)
    client.force_login(boss)
    client.post(
        f"/espace/organismes/{org.pk}/invitations/", {"email": "new@alpha.fr", "role": "member"}
    )
    client.logout()
    link = f"/espace/invitation/{Invitation.objects.get().token}/"
    assert "Au moins 12 caractères" in page(client.get(link))
    data = {"first_name": "Ana", "last_name": "Nouvelle"}
    response = client.post(link, {**data, "password1": SHORT, "password2": SHORT})
    assert TOO_SHORT in page(response)
    response = client.post(link, {**data, "password1": LONG_ENOUGH, "password2": LONG_ENOUGH})
    assert response.status_code == 302


def test_a_reset_refuses_11_characters(client, mailoutbox):
    person = factories.user("ada@exemple.fr")
    client.post("/connexion/mot-de-passe-oublie/", {"email": person.email})
    form = client.get(factories.link_in(mailoutbox[-1]), follow=True)
    assert "Au moins 12 caractères" in page(form)
    url = form.request["PATH_INFO"]
    response = client.post(url, {"new_password1": SHORT, "new_password2": SHORT})
    assert TOO_SHORT in page(response)
    response = client.post(url, {"new_password1": LONG_ENOUGH, "new_password2": LONG_ENOUGH})
    assert response.status_code == 302


def test_the_account_page_refuses_11_characters(client):
    person = factories.user()
    client.force_login(person)
    assert "Au moins 12 caractères" in page(client.get("/compte/"))
    response = client.post(
        "/compte/mot-de-passe/",
        {"old_password": factories.PASSWORD, "new_password1": SHORT, "new_password2": SHORT},
    )
    assert response.status_code == 400 and TOO_SHORT in page(response)
    person.refresh_from_db()
    assert person.check_password(factories.PASSWORD)
