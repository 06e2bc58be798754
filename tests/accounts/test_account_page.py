"""« Mon compte »: changing one's password and one's email address."""

import base64
import datetime
import re

import pytest
from django.test import Client

from opencertif.accounts.models import User
from opencertif.core.models import AuditEntry
from tests import factories
from tests.factories import page

# Mails leave on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "une-toute-nouvelle-phrase-2027"


@pytest.fixture
def person():
    return factories.user("ada@exemple.fr", first_name="Ada")


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def confirm_link(mailoutbox, to: str) -> str:
    for message in reversed(mailoutbox):
        if message.to == [to] and "/compte/adresse/confirmer/" in message.body:
            return factories.link_in(message, r"https?://\S+/compte/adresse/confirmer/\S+")
    raise AssertionError([m.to for m in mailoutbox])


def ask_email_change(client, email: str = "ada.nouvelle@exemple.fr"):
    return client.post("/compte/adresse/", {"email": email, "password": factories.PASSWORD})


# ── the page ───────────────────────────────────────────────────────────────────────────


def test_the_header_links_signed_in_people_to_their_account(client, person):
    assert "/compte/" not in page(client.get("/repertoire/"))
    client.force_login(person)
    html = page(client.get("/repertoire/"))
    assert 'href="/compte/"' in html and "Mon compte" in html
    account = page(client.get("/compte/"))
    assert person.identifier in account and person.email in account


def test_the_account_page_needs_a_sign_in(client):
    assert client.get("/compte/")["Location"].startswith("/connexion/")


# ── password ───────────────────────────────────────────────────────────────────────────


def test_changing_the_password_needs_the_current_one(signed_in, person, mailoutbox):
    response = signed_in.post(
        "/compte/mot-de-passe/",
        {
            "old_password": "pas-le-bon-mot",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "Mot de passe actuel incorrect" in page(response)
    person.refresh_from_db()
    assert person.check_password(factories.PASSWORD)
    assert mailoutbox == []
    assert not AuditEntry.objects.filter(action="user.password_changed").exists()


def test_a_new_password_keeps_this_session_ends_the_others_and_is_told(
    signed_in, person, mailoutbox
):
    elsewhere = Client()
    elsewhere.force_login(person)
    assert elsewhere.get("/compte/").status_code == 200

    response = signed_in.post(
        "/compte/mot-de-passe/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert "Mot de passe modifié" in page(response)
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # this session goes on, the other one is signed out
    assert signed_in.get("/compte/").status_code == 200
    assert elsewhere.get("/compte/")["Location"].startswith("/connexion/")

    entry = AuditEntry.objects.get(action="user.password_changed")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        person.pk,
        "accounts.user",
        str(person.pk),
    )
    assert person.email not in f"{entry.summary}{entry.changes}"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [person.email]
    assert "mot de passe" in mailoutbox[0].subject.lower()
    assert "/connexion/mot-de-passe-oublie/" in mailoutbox[0].body


# ── email address ──────────────────────────────────────────────────────────────────────


def test_a_new_address_is_confirmed_by_a_link_sent_to_it(signed_in, person, mailoutbox):
    response = ask_email_change(signed_in, "Ada.Nouvelle@Exemple.fr")
    assert response.status_code == 302
    person.refresh_from_db()
    # the account keeps its address until the link is clicked
    assert person.email == "ada@exemple.fr" and person.pending_email == "ada.nouvelle@exemple.fr"
    assert "ada.nouvelle@exemple.fr" in page(signed_in.get("/compte/"))
    assert {tuple(m.to) for m in mailoutbox} == {("ada.nouvelle@exemple.fr",), ("ada@exemple.fr",)}
    notice = next(m for m in mailoutbox if m.to == ["ada@exemple.fr"])
    assert "a***@exemple.fr" in notice.body and "ada.nouvelle" not in notice.body

    link = confirm_link(mailoutbox, "ada.nouvelle@exemple.fr")
    confirm_page = signed_in.get(link)
    assert confirm_page.status_code == 200
    assert "ada.nouvelle@exemple.fr" in page(confirm_page)
    person.refresh_from_db()
    assert person.email == "ada@exemple.fr"  # a GET (a mail scanner's) changes nothing

    mailoutbox.clear()
    done = signed_in.post(link, follow=True)
    assert "désormais ada.nouvelle@exemple.fr" in page(done)
    person.refresh_from_db()
    assert person.email == "ada.nouvelle@exemple.fr" and person.pending_email == ""
    assert person.email_verified_at is not None
    assert [m.to for m in mailoutbox] == [["ada@exemple.fr"]]  # the old address is told
    # the new address signs in, the old one no longer
    signed_in.logout()
    assert (
        signed_in.post(
            "/connexion/", {"username": "ada.nouvelle@exemple.fr", "password": factories.PASSWORD}
        ).status_code
        == 302
    )

    actions = list(
        AuditEntry.objects.filter(object_type="accounts.user", object_id=str(person.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["user.email_change_requested", "user.email_changed"]
    for entry in AuditEntry.objects.all():
        text = f"{entry.summary}{entry.changes}{entry.actor_label}"
        assert "@" not in text, text


def test_the_link_works_once(signed_in, person, mailoutbox):
    ask_email_change(signed_in)
    link = confirm_link(mailoutbox, "ada.nouvelle@exemple.fr")
    assert signed_in.post(link).status_code == 302
    again = signed_in.post(link)
    assert again.status_code == 410
    assert "déjà été utilisé" in page(again)
    assert signed_in.get(link).status_code == 410


def test_an_expired_link_changes_nothing(signed_in, person, mailoutbox, time_machine):
    ask_email_change(signed_in)
    link = confirm_link(mailoutbox, "ada.nouvelle@exemple.fr")
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=25))
    signed_in.force_login(person)
    response = signed_in.post(link)
    assert response.status_code == 400 and "a expiré" in page(response)
    person.refresh_from_db()
    assert person.email == "ada@exemple.fr"


def test_a_link_opened_by_another_signed_in_account_changes_nothing(signed_in, person, mailoutbox):
    ask_email_change(signed_in)
    link = confirm_link(mailoutbox, "ada.nouvelle@exemple.fr")
    intruder = Client()
    intruder.force_login(factories.user("bob@exemple.fr"))
    for response in (intruder.get(link), intruder.post(link)):
        assert response.status_code == 403
        assert "concerne un autre compte" in page(response)
    assert User.objects.get(email="bob@exemple.fr").pending_email == ""
    person.refresh_from_db()
    assert person.email == "ada@exemple.fr"
    # the link still works for its own account
    assert signed_in.post(link).status_code == 302
    person.refresh_from_db()
    assert person.email == "ada.nouvelle@exemple.fr"


def test_a_signed_out_click_asks_to_sign_in_first(client, person, mailoutbox):
    client.force_login(person)
    ask_email_change(client)
    link = confirm_link(mailoutbox, "ada.nouvelle@exemple.fr")
    client.logout()
    response = client.get(link)
    assert response["Location"].startswith("/connexion/?next=/compte/adresse/confirmer/")


def test_a_later_request_replaces_the_earlier_link(signed_in, person, mailoutbox):
    ask_email_change(signed_in, "premiere@exemple.fr")
    first = confirm_link(mailoutbox, "premiere@exemple.fr")
    ask_email_change(signed_in, "seconde@exemple.fr")
    second = confirm_link(mailoutbox, "seconde@exemple.fr")
    response = signed_in.post(first)
    assert response.status_code == 400 and "n'est plus valable" in page(response)
    assert signed_in.post(second).status_code == 302
    person.refresh_from_db()
    assert person.email == "seconde@exemple.fr"


def test_a_forged_link_is_refused(signed_in):
    response = signed_in.get("/compte/adresse/confirmer/pas-un-jeton/")
    assert response.status_code == 400


def test_the_address_of_another_account_gets_the_same_answer_and_no_link(
    signed_in, person, mailoutbox
):
    factories.user("bob@exemple.fr")
    response = ask_email_change(signed_in, "bob@exemple.fr")
    assert response.status_code == 302
    free = ask_email_change(signed_in, "libre@exemple.fr")
    assert free.status_code == 302
    to_bob = [m for m in mailoutbox if m.to == ["bob@exemple.fr"]]
    assert len(to_bob) == 1 and "/compte/adresse/confirmer/" not in to_bob[0].body
    assert "déjà celle d'un autre compte" in to_bob[0].body
    person.refresh_from_db()
    assert person.email == "ada@exemple.fr" and person.pending_email == "libre@exemple.fr"


def test_an_address_taken_meanwhile_is_refused_at_confirmation(signed_in, person, mailoutbox):
    ask_email_change(signed_in)
    link = confirm_link(mailoutbox, "ada.nouvelle@exemple.fr")
    factories.user("ada.nouvelle@exemple.fr")
    response = signed_in.post(link)
    assert response.status_code == 409 and "déjà utilisée" in page(response)
    person.refresh_from_db()
    assert person.email == "ada@exemple.fr"


def test_changing_the_address_needs_the_current_password(signed_in, person, mailoutbox):
    response = signed_in.post(
        "/compte/adresse/", {"email": "x@exemple.fr", "password": "pas-le-bon-mot"}
    )
    assert response.status_code == 400 and "Mot de passe actuel incorrect" in page(response)
    same = signed_in.post(
        "/compte/adresse/", {"email": "ADA@exemple.fr", "password": factories.PASSWORD}
    )
    assert "déjà l'adresse de votre compte" in page(same)
    assert mailoutbox == []
    person.refresh_from_db()
    assert person.pending_email == ""


def test_mail_links_carry_no_address(signed_in, mailoutbox):
    ask_email_change(signed_in)
    link = confirm_link(mailoutbox, "ada.nouvelle@exemple.fr")
    token = re.search(r"/confirmer/([^/]+)/", link).group(1)
    payload = token.split(":")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"@" not in decoded
