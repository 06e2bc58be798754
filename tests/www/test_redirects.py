"""No open redirect: every view that reads `next` follows only a path on this site."""

import pytest
from django.urls import NoReverseMatch, reverse

from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE = [
    "//evil.example",
    "//evil.example/espace/",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "https://testserver/espace/",  # even this host: only relative paths are followed
]


def assert_stays_home(response, fallback: str):
    assert response.status_code == 302
    location = response["Location"]
    assert location == fallback, location
    assert "evil" not in location


@pytest.mark.parametrize("target", HOSTILE)
def test_login_ignores_a_foreign_next(client, target):
    person = factories.user()
    form = client.get("/connexion/", {"next": target})
    assert "evil" not in form.content.decode()
    response = client.post(
        f"/connexion/?next={target}",
        {"username": person.email, "password": factories.PASSWORD, "next": target},
    )
    assert_stays_home(response, "/")


def test_login_follows_a_path_of_the_site(client):
    person = factories.user()
    response = client.post(
        "/connexion/",
        {"username": person.email, "password": factories.PASSWORD, "next": "/espace/depots/"},
    )
    assert response["Location"] == "/espace/depots/"


@pytest.mark.parametrize("target", HOSTILE)
def test_a_signed_in_visit_of_the_login_page_ignores_a_foreign_next(client, target):
    client.force_login(factories.user())
    assert_stays_home(client.get("/connexion/", {"next": target}), "/")


@pytest.mark.parametrize("target", HOSTILE)
def test_logout_ignores_a_foreign_next(client, target):
    client.force_login(factories.user())
    assert_stays_home(client.post("/deconnexion/", {"next": target}), "/")


def test_logout_follows_a_path_of_the_site(client):
    client.force_login(factories.user())
    assert client.post("/deconnexion/", {"next": "/repertoire/"})["Location"] == "/repertoire/"


@pytest.mark.parametrize("target", HOSTILE)
def test_the_activation_resend_ignores_a_foreign_next(client, target):
    response = client.post(
        "/espace/inscription/renvoyer-le-lien/", {"email": "x@exemple.fr", "next": target}
    )
    assert_stays_home(response, "/espace/inscription/envoyee/")


def test_the_activation_resend_follows_a_path_of_the_site(client):
    response = client.post(
        "/espace/inscription/renvoyer-le-lien/",
        {"email": "x@exemple.fr", "next": "/espace/inscription/etape-4/"},
    )
    assert response["Location"] == "/espace/inscription/etape-4/"


@pytest.mark.parametrize("target", HOSTILE)
def test_the_admin_login_ignores_a_foreign_next(client, target):
    admin = factories.user(is_staff=True, is_superuser=True)
    response = client.post(
        "/admin/login/",
        {"username": admin.email, "password": factories.PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_there_is_no_language_switch_to_redirect_through(client):
    # The site is in French only: Django's set_language (which reads `next` and the
    # Referer) is not routed.
    with pytest.raises(NoReverseMatch):
        reverse("set_language")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "//evil.example"})
    assert response.status_code in (403, 404) or "evil" not in response.get("Location", "")
