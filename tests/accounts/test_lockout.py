import datetime

import pytest
from axes.models import AccessAttempt

from tests import factories
from tests.factories import page

# Mails leave on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def person():
    return factories.user("ada@exemple.fr")


def fail(client, login: str, times: int):
    for _ in range(times):
        response = client.post("/connexion/", {"username": login, "password": "mauvais"})
    return response


def test_repeated_failures_lock_the_account_and_mail_an_unlock_link(
    client, person, mailoutbox, settings
):
    response = fail(client, person.email, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert "temporairement bloquée" in page(response)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [person.email]

    # even the right password is refused while locked
    locked = client.post("/connexion/", {"username": person.email, "password": factories.PASSWORD})
    assert locked.status_code == 429
    assert len(mailoutbox) == 1  # one unlock mail per lock-out period

    response = client.get(factories.link_in(mailoutbox[0]), follow=True)
    assert "Votre compte est débloqué" in page(response)
    ok = client.post("/connexion/", {"username": person.email, "password": factories.PASSWORD})
    assert ok.status_code == 302


def test_email_and_identifier_share_one_counter(client, person, settings):
    fail(client, person.email, settings.AXES_FAILURE_LIMIT - 1)
    response = fail(client, person.identifier, 1)
    assert response.status_code == 429


def test_unknown_accounts_get_the_same_page_and_no_mail(client, mailoutbox, settings):
    response = fail(client, "personne@nulle-part.fr", settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert "Si un compte correspond" in page(response)
    assert mailoutbox == []


def test_the_attempts_table_holds_no_email_address(client, person):
    fail(client, person.email, 2)
    usernames = list(AccessAttempt.objects.values_list("username", flat=True))
    assert usernames and all(person.email not in u and u.startswith("h:") for u in usernames)


def test_a_forged_unlock_link_is_refused(client):
    response = client.get("/connexion/debloquer/pas-un-jeton/")
    assert response.status_code == 400


def test_a_new_password_also_unlocks(client, person, mailoutbox, settings):
    fail(client, person.email, settings.AXES_FAILURE_LIMIT)
    mailoutbox.clear()
    client.post("/connexion/mot-de-passe-oublie/", {"email": person.email})
    link = factories.link_in(mailoutbox[0])
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.request["PATH_INFO"],
        {"new_password1": "Un-nouveau-mot-2026!", "new_password2": "Un-nouveau-mot-2026!"},
    )
    assert response.status_code == 302
    ok = client.post(
        "/connexion/", {"username": person.identifier, "password": "Un-nouveau-mot-2026!"}
    )
    assert ok.status_code == 302


def test_forgotten_identifier_is_mailed_without_telling_who_exists(client, person, mailoutbox):
    known = client.post("/connexion/identifiant-oublie/", {"email": person.email})
    unknown = client.post("/connexion/identifiant-oublie/", {"email": "inconnu@exemple.fr"})
    assert "Si un compte actif correspond" in page(known)
    assert "Si un compte actif correspond" in page(unknown)
    assert len(mailoutbox) == 1 and person.identifier in mailoutbox[0].body


def test_password_reset_says_the_same_for_unknown_addresses(client, mailoutbox):
    response = client.post(
        "/connexion/mot-de-passe-oublie/", {"email": "inconnu@exemple.fr"}, follow=True
    )
    assert "Si un compte correspond" in page(response)
    assert mailoutbox == []


def test_passwords_are_hashed_with_argon2_in_production():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_the_unlock_link_works_once(client, person, mailoutbox, settings):
    fail(client, person.email, settings.AXES_FAILURE_LIMIT)
    link = factories.link_in(mailoutbox[0])
    assert "Votre compte est débloqué" in page(client.get(link, follow=True))

    again = client.get(link)
    assert again.status_code == 410
    assert "Ce lien de déblocage a déjà été utilisé" in page(again)
    # a second use does not lift a new lock-out either
    fail(client, person.email, settings.AXES_FAILURE_LIMIT)
    assert client.get(link).status_code == 410
    locked = client.post("/connexion/", {"username": person.email, "password": factories.PASSWORD})
    assert locked.status_code == 429


def test_an_expired_unlock_link_says_so(client, person, mailoutbox, settings, time_machine):
    fail(client, person.email, settings.AXES_FAILURE_LIMIT)
    link = factories.link_in(mailoutbox[0])
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=25))
    response = client.get(link)
    assert response.status_code == 400 and "a expiré" in page(response)
