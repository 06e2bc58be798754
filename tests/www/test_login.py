import pytest

from opencertif.accounts.models import IDENTIFIER_ALPHABET, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return User.objects.create_user("agent@example.org", "un-mot-de-passe-solide", first_name="Ada")


def test_every_user_gets_a_nine_character_identifier(user):
    assert len(user.identifier) == 9
    assert set(user.identifier) <= set(IDENTIFIER_ALPHABET)


def test_login_with_email(client, user):
    response = client.post(
        "/connexion/", {"username": "Agent@Example.org", "password": "un-mot-de-passe-solide"}
    )
    assert response.status_code == 302
    assert client.get("/espace/").status_code == 200


def test_login_with_identifier_in_lower_case(client, user):
    response = client.post(
        "/connexion/", {"username": user.identifier.lower(), "password": "un-mot-de-passe-solide"}
    )
    assert response.status_code == 302
    assert user.identifier in client.get("/espace/").content.decode()


def test_wrong_password_says_what_to_check(client, user):
    response = client.post("/connexion/", {"username": user.email, "password": "faux"})
    assert response.status_code == 200
    assert "Identifiants incorrects" in response.content.decode()


def test_logout_is_a_post(client, user):
    client.force_login(user)
    assert client.get("/deconnexion/").status_code == 405
    assert client.post("/deconnexion/").status_code == 302
    assert client.get("/espace/").status_code == 302
