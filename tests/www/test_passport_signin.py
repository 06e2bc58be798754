"""The passport's sign-in pages: the identity provider's button (or why there is none),
the development provider (only when its setting is on), the holder's sign-out, the empty
passport's explanation; which routes are public."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils.html import escape

from opencertif.core.models import AuditEntry
from opencertif.deposits.enums import PassageStatus
from opencertif.passports.enums import MATCH_EXPLANATIONS, MatchOutcome
from opencertif.passports.models import Holder
from tests import factories as base_factories
from tests.passports import factories

pytestmark = pytest.mark.django_db

CONFIGURED = {
    "OIDC_RP_CLIENT_ID": "client",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://fc.example.test/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://fc.example.test/token",
    "OIDC_OP_USER_ENDPOINT": "https://fc.example.test/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://fc.example.test/jwks",
}
DEV_ALERT = "Fournisseur d'identité de développement — n'existe pas en production"


def with_passage(person, status=PassageStatus.OK):
    organisation, account = factories.certifier()
    factories.passage(account, person, factories.certification(), status=status)
    return person


def test_the_development_provider_is_off_unless_a_settings_file_turns_it_on():
    base = (Path(settings.BASE_DIR) / "config" / "settings" / "base.py").read_text()
    dev = (Path(settings.BASE_DIR) / "config" / "settings" / "dev.py").read_text()
    assert "\nPASSPORT_DEV_PROVIDER = False\n" in base
    assert 'env_bool("PASSPORT_DEV_PROVIDER' not in base
    assert "\nPASSPORT_DEV_PROVIDER = True\n" in dev
    assert settings.PASSPORT_DEV_PROVIDER is False


@override_settings(OIDC_RP_CLIENT_ID="")
def test_without_configuration_the_sign_in_page_says_it_is_unavailable(client):
    response = client.get("/passeport/connexion/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "La connexion au passeport n'est pas disponible" in page
    assert "fr-connect" not in page
    response = client.get("/passeport/oidc/authenticate/")
    assert (response.status_code, response["Location"]) == (302, "/passeport/connexion/")


@override_settings(**CONFIGURED)
def test_configured_the_sign_in_page_offers_franceconnect(client):
    response = client.get("/passeport/connexion/?next=/passeport/cv/")

    page = response.content.decode()
    assert 'class="fr-connect"' in page
    # A link: the CSP's form-action would stop a form redirected to the provider.
    assert 'href="/passeport/oidc/authenticate/?next=/passeport/cv/"' in page
    assert "n'est pas disponible" not in page
    assert "/passeport/connexion/developpement/" not in page


@override_settings(**CONFIGURED)
def test_the_sign_in_starts_at_the_provider_with_franceconnect_scopes(client):
    response = client.get("/passeport/oidc/authenticate/")

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://fc.example.test/authorize?")
    for part in ("scope=openid+given_name+family_name+birthdate+gender", "acr_values=eidas1"):
        assert part in location
    assert "nonce=" in location and "state=" in location


@override_settings(**CONFIGURED)
def test_a_callback_without_code_goes_back_to_the_sign_in_page(client):
    response = client.get("/passeport/oidc/callback/")

    assert (response.status_code, response["Location"]) == (302, "/passeport/connexion/")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "path", ["/passeport/connexion/", "/passeport/oidc/authenticate/", "/passeport/oidc/callback/"]
)
def test_the_sign_in_routes_are_public(client, path):
    response = client.get(path)

    assert not (response.status_code == 302 and response["Location"].startswith("/connexion/"))
    assert response.status_code in (200, 302)


def test_the_passport_is_not_public(client):
    response = client.get("/passeport/")

    assert response.status_code == 302
    assert "connexion" in response["Location"]


def test_the_development_provider_answers_404_when_off(client):
    person = with_passage(factories.person())

    assert client.get("/passeport/connexion/developpement/").status_code == 404
    assert client.post(f"/passeport/connexion/developpement/{person.pk}/").status_code == 404
    assert not Holder.objects.exists()
    assert (
        "/passeport/connexion/developpement/"
        not in client.get("/passeport/connexion/").content.decode()
    )


@override_settings(PASSPORT_DEV_PROVIDER=True)
def test_the_development_provider_lists_people_with_accepted_passages_demo_holder_first(client):
    others = [with_passage(factories.person(birth_name=f"NOM{n}")) for n in range(3)]
    refused = with_passage(factories.person(birth_name="REFUSE"), status=PassageStatus.KO)
    demo = with_passage(factories.person(birth_name="DEMO"))
    Holder.objects.create(
        user=base_factories.user("titulaire@passeport-demo.test"),
        subject=f"dev:{demo.pk}",
        person=demo,
        match_outcome=MatchOutcome.MATCHED,
    )

    response = client.get("/passeport/connexion/developpement/")

    assert response.status_code == 200
    page = response.content.decode()
    assert DEV_ALERT in page
    assert page.index(f"/developpement/{demo.pk}/") < min(
        page.index(f"/developpement/{person.pk}/") for person in others
    )
    assert f"/developpement/{refused.pk}/" not in page
    assert "Titulaire de démonstration" in page
    assert (
        "/passeport/connexion/developpement/"
        in client.get("/passeport/connexion/").content.decode()
    )


@override_settings(PASSPORT_DEV_PROVIDER=True)
def test_the_development_provider_lists_at_most_twenty_people(client):
    for n in range(22):
        with_passage(factories.person(birth_name=f"NOM{n}"))

    page = client.get("/passeport/connexion/developpement/").content.decode()

    assert page.count("Se connecter en tant que") == 20


@override_settings(PASSPORT_DEV_PROVIDER=True)
def test_the_development_provider_signs_in_as_the_chosen_person(client):
    camille = with_passage(factories.person())

    response = client.post(f"/passeport/connexion/developpement/{camille.pk}/")

    assert (response.status_code, response["Location"]) == (302, "/passeport/")
    holder = Holder.objects.get(subject=f"dev:{camille.pk}")
    assert (holder.person, holder.match_outcome) == (camille, MatchOutcome.MATCHED)
    assert int(client.session["_auth_user_id"]) == holder.user_id
    assert AuditEntry.objects.filter(action="holder.signed_in", object_id=str(holder.pk)).exists()
    assert client.get("/passeport/").status_code == 200


@override_settings(PASSPORT_DEV_PROVIDER=True)
def test_the_development_provider_signs_in_to_the_seeded_demo_holder(client):
    demo = with_passage(factories.person())
    user = base_factories.user("titulaire@passeport-demo.test")
    seeded = Holder.objects.create(
        user=user, subject=f"dev:{demo.pk}", person=demo, match_outcome=MatchOutcome.MATCHED
    )

    client.post(f"/passeport/connexion/developpement/{demo.pk}/")

    assert Holder.objects.get() == seeded
    assert int(client.session["_auth_user_id"]) == user.pk
    user.refresh_from_db()
    assert user.email == "titulaire@passeport-demo.test"


@override_settings(PASSPORT_DEV_PROVIDER=True)
def test_the_development_provider_refuses_an_unknown_person_and_a_get(client):
    camille = with_passage(factories.person())

    assert (
        client.post(f"/passeport/connexion/developpement/{camille.pk + 1000}/").status_code == 404
    )
    assert client.get(f"/passeport/connexion/developpement/{camille.pk}/").status_code == 405
    assert not Holder.objects.exists()


@override_settings(PASSPORT_DEV_PROVIDER=True)
def test_a_person_sharing_the_whole_identity_signs_in_to_an_empty_passport(client):
    camille = with_passage(factories.person())
    factories.person()  # the same whole identity

    client.post(f"/passeport/connexion/developpement/{camille.pk}/")

    holder = Holder.objects.get()
    assert (holder.person, holder.match_outcome) == (None, MatchOutcome.SEVERAL)


def test_a_signed_in_holder_is_sent_from_the_sign_in_page_to_the_passport(client):
    holder = factories.holder(factories.person())
    client.force_login(holder.user)

    response = client.get("/passeport/connexion/")

    assert (response.status_code, response["Location"]) == (302, "/passeport/")


def test_the_holder_signs_out_back_to_the_sign_in_page(client):
    holder = factories.holder(factories.person())
    client.force_login(holder.user)

    assert client.get("/passeport/deconnexion/").status_code == 405
    response = client.post("/passeport/deconnexion/")

    assert (response.status_code, response["Location"]) == (302, "/passeport/connexion/")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "outcome", [MatchOutcome.NONE, MatchOutcome.SEVERAL, MatchOutcome.INCOMPLETE]
)
def test_the_empty_passport_explains_why_and_offers_help(outcome):
    holder = factories.holder()
    holder.match_outcome = outcome

    html = render_to_string("passeport/_no_match.html", {"holder": holder})

    assert escape(str(outcome.label).lower()) in html
    assert escape(MATCH_EXPLANATIONS[outcome]) in html
    assert 'href="/passeport/signaler-manquante/">Demander de l\'aide</a>' in html


def test_a_recognised_holder_gets_no_explanation():
    holder = factories.holder(factories.person())

    assert render_to_string("passeport/_no_match.html", {"holder": holder}).strip() == ""
