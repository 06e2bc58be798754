"""The anonymous join form tells nothing about who has an account, and is rate-limited."""

import itertools

import pytest
from django.contrib.auth import hashers
from stdnum.fr import siret as siret_number

from opencertif.accounts.models import ThrottleHit
from opencertif.organisations.models import JoinRequest
from tests import factories
from tests.factories import page

# Mails leave on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

URL = "/espace/inscription/rejoindre/"
KNOWN_SIRET = "73282932000074"


def valid_sirets():
    """SIRETs whose checksums pass, other than KNOWN_SIRET."""
    for number in itertools.count(35600000000000):
        candidate = str(number)
        if candidate != KNOWN_SIRET and siret_number.is_valid(candidate):
            yield candidate


@pytest.fixture
def organisation():
    org = factories.organisation("Université Alpha", siret=KNOWN_SIRET)
    factories.manager(org, email="chef@alpha.fr")
    return org


def ask(client, *, siret=KNOWN_SIRET, email="paul@alpha.fr", ip="10.0.0.1"):
    return client.post(
        URL,
        {
            "siret": siret,
            "first_name": "Paul",
            "last_name": "Nouveau",
            "job_title": "Chargé de scolarité",
            "email": email,
            "phone": "0102030405",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
            "message": "",
        },
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def hashes(monkeypatch):
    """How many passwords the request hashed (the costly step of creating an account)."""
    calls = []
    hasher = type(hashers.get_hasher())
    original = hasher.encode

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(hasher, "encode", counting)
    return calls


def test_every_case_gets_the_same_page_and_exactly_one_mail(
    client, organisation, mailoutbox, hashes
):
    pending = factories.user("attente@alpha.fr", is_active=False)
    factories.user("actif@alpha.fr")
    cases = {
        "organisation with an account, new address": (KNOWN_SIRET, "paul@alpha.fr"),
        "no organisation with an account": ("35600000000048", "paul2@alpha.fr"),
        "address of an active account": (KNOWN_SIRET, "actif@alpha.fr"),
        "address awaiting activation": (KNOWN_SIRET, "attente@alpha.fr"),
        "unknown organisation, address of an account": ("35600000000048", "actif@alpha.fr"),
    }
    pages, mails = {}, {}
    for case, (siret, email) in cases.items():
        before_mails, before_hashes = len(mailoutbox), len(hashes)
        response = ask(client, siret=siret, email=email)
        assert response.status_code == 200, case
        pages[case] = page(response).replace(email, "ADRESSE")
        sent = mailoutbox[before_mails:]
        assert [m.to for m in sent] == [[email]], case
        assert len(hashes) - before_hashes == 1, case
        mails[case] = sent[0].body
    assert len(set(pages.values())) == 1, "the page differs from one case to another"
    assert "Consultez votre messagerie" in next(iter(pages.values()))

    # only the mailbox's owner learns what happened
    assert "/espace/inscription/activer/" in mails["organisation with an account, new address"]
    assert "Aucun organisme" in mails["no organisation with an account"]
    assert "déjà celle d'un compte" in mails["address of an active account"]
    assert "/espace/inscription/activer/" in mails["address awaiting activation"]
    assert "déjà celle d'un compte" in mails["unknown organisation, address of an account"]
    assert JoinRequest.objects.get().user.email == "paul@alpha.fr"
    pending.refresh_from_db()
    assert not pending.join_requests.exists()


def test_the_join_request_reaches_the_managers_once_the_address_is_confirmed(
    client, organisation, mailoutbox
):
    ask(client)
    client.get(factories.link_in(mailoutbox[-1]))
    join = JoinRequest.objects.get()
    assert join.state == "pending" and join.organisation == organisation
    assert any(m.to == ["chef@alpha.fr"] for m in mailoutbox)


def test_the_old_join_page_by_organisation_id_is_gone(client, organisation):
    assert client.get(f"{URL}{organisation.pk}/").status_code == 404


def test_attempts_are_limited_per_ip_address(client, organisation, mailoutbox, settings):
    settings.JOIN_ATTEMPTS_PER_IP = 3
    sirets = valid_sirets()
    for number in range(3):
        response = ask(client, siret=next(sirets), email=f"p{number}@alpha.fr")
        assert response.status_code == 200
    sent = len(mailoutbox)
    limited = ask(client, siret=next(sirets), email="p9@alpha.fr")
    assert limited.status_code == 429
    assert "Réessayez plus tard" in page(limited)
    assert len(mailoutbox) == sent
    # another address is not held back
    assert ask(client, siret=next(sirets), email="p10@alpha.fr", ip="10.0.0.2").status_code == 200


def test_attempts_are_limited_per_siret(client, organisation, mailoutbox, settings):
    settings.JOIN_ATTEMPTS_PER_TARGET = 2
    for number in range(2):
        assert ask(client, email=f"p{number}@alpha.fr", ip=f"10.0.1.{number}").status_code == 200
    limited = ask(client, email="p9@alpha.fr", ip="10.0.1.9")
    assert limited.status_code == 429 and "Réessayez plus tard" in page(limited)
    assert not JoinRequest.objects.filter(user__email="p9@alpha.fr").exists()


def test_attempts_are_limited_per_email_address(client, organisation, mailoutbox, settings):
    settings.JOIN_ATTEMPTS_PER_TARGET = 2
    sirets = valid_sirets()
    for number in range(2):
        assert ask(client, siret=next(sirets), ip=f"10.0.2.{number}").status_code == 200
    sent = len(mailoutbox)
    assert ask(client, siret=next(sirets), ip="10.0.2.9").status_code == 429
    assert len(mailoutbox) == sent


def test_the_limit_is_lifted_after_an_hour(client, organisation, settings, time_machine):
    settings.JOIN_ATTEMPTS_PER_TARGET = 1
    time_machine.move_to("2026-12-01 10:00:00+01:00", tick=False)
    assert ask(client, email="p1@alpha.fr", ip="10.0.3.1").status_code == 200
    assert ask(client, email="p2@alpha.fr", ip="10.0.3.2").status_code == 429
    time_machine.move_to("2026-12-01 11:00:01+01:00", tick=False)
    assert ask(client, email="p2@alpha.fr", ip="10.0.3.2").status_code == 200


def test_the_counters_hold_no_address_nor_siret(client, organisation):
    ask(client, email="paul@alpha.fr", ip="10.9.8.7")
    keys = " ".join(ThrottleHit.objects.values_list("key", flat=True))
    assert ThrottleHit.objects.count() == 3
    for clear in ("paul", "alpha", KNOWN_SIRET, "10.9.8.7"):
        assert clear not in keys
