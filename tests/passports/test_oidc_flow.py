"""The whole OpenID Connect sign-in against a real provider: django-oidc-provider in a
subprocess (tests/passports/oidc_provider/), its login form, the authorisation code sent
back to our callback, the code exchanged and the ID token checked over real HTTP."""

import json
import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from axes.models import AccessAttempt

from opencertif.passports.enums import MatchOutcome
from opencertif.passports.models import Holder
from tests.passports import factories

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "opencertif-tests"
CLIENT_SECRET = "client-secret-for-tests-only"  # noqa: S105
CALLBACK = "http://testserver/passeport/oidc/callback/"
STARTUP_SECONDS = 120
# The provider's users (password = username) and the claims FranceConnect would send.
CAMILLE = {
    "given_name": "Camille Anne",
    "family_name": "MARTIN",
    "birthdate": "1990-04-12",
    "gender": "female",
    "birthplace": "75056",
    "birthcountry": "99100",
    "email": "camille.martin@example.test",
}
IDENTITIES = {
    "camille": CAMILLE,
    # Same names, sex, year and town; born another day.
    "homonyme": {**CAMILLE, "birthdate": "1990-09-03", "email": "homonyme@example.test"},
}


def _localhost_usable() -> str:
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
    except OSError as exc:
        return f"cannot listen on 127.0.0.1 ({exc})"
    return ""


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    """The OpenID provider, started once for the session; its base URL."""
    reason = _localhost_usable()
    if reason:
        pytest.skip(f"LOCAL OPENID PROVIDER NOT STARTED: {reason}: OIDC flow tests skipped")
    folder = tmp_path_factory.mktemp("oidc-provider")
    (folder / "identities.json").write_text(json.dumps(IDENTITIES))
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [
            sys.executable,
            "-m",
            "tests.passports.oidc_provider.serve",
            str(folder),
            CLIENT_ID,
            CLIENT_SECRET,
            CALLBACK,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first_line: list[str] = []
    reader = threading.Thread(target=lambda: first_line.append(process.stdout.readline()))
    reader.start()
    reader.join(STARTUP_SECONDS)
    try:
        if not first_line or not first_line[0].startswith("READY "):
            process.kill()
            _, errors = process.communicate(timeout=30)
            pytest.fail(f"the local OpenID provider did not start:\n{errors[-3000:]}")
        url = first_line[0].split()[1]
        requests.get(f"{url}/.well-known/openid-configuration", timeout=30).raise_for_status()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def oidc(provider, settings):
    """Our client configured for the local provider."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider}/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    return provider


def authorize_at_provider(client, provider: str, username: str) -> str:
    """Start the sign-in on our site, log in on the provider's form as `username`; the
    URL the provider sends the browser back to (our callback with code and state)."""
    response = client.get("/passeport/oidc/authenticate/")
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(f"{provider}/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["scope"] == [
        "openid given_name family_name birthdate gender birthplace birthcountry email"
    ]
    assert query["nonce"] and query["state"] and query["acr_values"] == ["eidas1"]

    browser = requests.Session()
    answer = browser.get(authorize, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:500]
    login = urljoin(provider, answer.headers["Location"])
    page = browser.get(login, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = browser.post(
        login,
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": username,
            "next": parse_qs(urlsplit(login).query)["next"][0],
        },
        allow_redirects=False,
        timeout=30,
    )
    for _ in range(5):
        assert answer.status_code == 302, answer.text[:500]
        location = urljoin(provider, answer.headers["Location"])
        if location.startswith("http://testserver/"):
            return location
        answer = browser.get(location, allow_redirects=False, timeout=30)
    raise AssertionError("the provider never sent the browser back to our callback")


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


@pytest.mark.django_db
def test_a_holder_signs_in_at_the_provider_and_is_matched_to_their_person(client, oidc):
    camille = factories.person(first_name="Camille", first_name2="Anne")
    factories.person(birth_month=9, birth_day=3, first_name="Claude")

    location = authorize_at_provider(client, oidc, "camille")
    assert parse_qs(urlsplit(location).query)["code"]
    response = client.get(callback_path(location))

    assert response.status_code == 302
    assert response["Location"] == "/passeport/"
    holder = Holder.objects.select_related("user").get()
    assert (holder.person, holder.match_outcome) == (camille, MatchOutcome.MATCHED)
    assert holder.subject  # the provider's "sub"
    assert holder.user.email == "camille.martin@example.test"
    assert not holder.user.has_usable_password()
    assert int(client.session["_auth_user_id"]) == holder.user_id
    assert client.get("/passeport/").status_code == 200


@pytest.mark.django_db
def test_a_homonym_born_the_same_year_signs_in_to_an_empty_passport(client, oidc):
    factories.person(first_name="Camille")

    response = client.get(callback_path(authorize_at_provider(client, oidc, "homonyme")))

    assert response.status_code == 302 and response["Location"] == "/passeport/"
    holder = Holder.objects.get()
    assert (holder.person, holder.match_outcome) == (None, MatchOutcome.NONE)
    assert client.get("/passeport/").status_code == 200


@pytest.mark.django_db
def test_signing_in_again_keeps_the_same_holder_and_matches_again(client, oidc):
    client.get(callback_path(authorize_at_provider(client, oidc, "camille")))
    first = Holder.objects.get()
    assert first.match_outcome == MatchOutcome.NONE
    camille = factories.person(first_name="Camille")
    client.post("/passeport/deconnexion/")

    client.get(callback_path(authorize_at_provider(client, oidc, "camille")))

    again = Holder.objects.get()
    assert (again.pk, again.user_id) == (first.pk, first.user_id)
    assert (again.person, again.match_outcome) == (camille, MatchOutcome.MATCHED)


@pytest.mark.django_db
def test_a_code_the_provider_does_not_know_sends_back_to_the_sign_in_page(client, oidc):
    location = authorize_at_provider(client, oidc, "camille")
    state = parse_qs(urlsplit(location).query)["state"][0]

    response = client.get(f"/passeport/oidc/callback/?code=forged&state={state}", follow=True)

    assert response.redirect_chain[-1] == ("/passeport/connexion/", 302)
    assert "La connexion n&#x27;a pas abouti" in response.content.decode()
    assert not Holder.objects.exists()
    assert "_auth_user_id" not in client.session
    # A failed sign-in through the provider counts no lock-out attempt (there is no
    # password to guess, and one shared key would lock every holder out).
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_the_organisations_login_still_works_beside_the_oidc_backend(client, oidc):
    from tests import factories as base_factories

    user = base_factories.user("membre@example.test")
    response = client.post(
        "/connexion/", {"username": "membre@example.test", "password": base_factories.PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
