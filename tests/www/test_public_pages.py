import re

import pytest

from opencertif.organisations.models import Organisation
from tests.registry.factories import create, fiche

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    create(
        fiche(
            "RNCP10",
            title="Responsable de la comptabilité",
            level="6",
            blocks=("Tenue de la comptabilité générale",),
            rome=(("M1203", "Comptabilité"),),
            nsf=(("314", "Comptabilité, gestion"),),
        ),
        fiche("RNCP11", title="Comptable assistant", level="4", active=False),
    )


def test_home_links_every_space(client, registry):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("Répertoire", "Espace certificateur", "Passeport", "Extranet VAE"):
        assert label in html
    assert 'lang="fr"' in html
    assert 'href="#contenu"' in html  # skip link


def test_search_page_works_without_javascript(client, registry):
    response = client.get("/repertoire/", {"q": "comptabilite", "niveau": "6"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 certification" in html
    assert "Responsable de la comptabilité" in html
    assert "Comptable assistant" not in html
    assert re.search(r'<option value="6"\s+selected>', html)
    assert '<form method="get"' in html


def test_search_page_returns_only_the_zone_to_htmx(client, registry):
    response = client.get("/repertoire/", {"q": "compta", "toutes": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "2 certifications" in html


def test_search_page_offers_to_include_inactive_fiches(client, registry):
    html = client.get("/repertoire/", {"q": "assistant"}).content.decode()
    assert "Aucune certification ne correspond" in html
    assert "incluez les fiches inactives" in html


def test_search_page_links_to_a_fiche_typed_by_number(client, registry):
    html = client.get("/repertoire/", {"q": "rncp11"}).content.decode()
    assert 'href="/repertoire/RNCP11/"' in html


def test_fiche_page_shows_the_fiche_and_links_its_certifier(client, registry):
    response = client.get("/repertoire/RNCP10/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Responsable de la comptabilité" in html
    assert "RNCP10BC01" in html
    assert "M1203" in html and 'href="/repertoire/?rome=M1203"' in html
    organisation = Organisation.objects.get(siret="11004301500012")
    assert f'href="/repertoire/certificateurs/{organisation.pk}/"' in html


def test_fiche_number_is_normalised_and_unknown_fiche_is_404(client, registry):
    response = client.get("/repertoire/rncp10/")
    assert response.status_code == 301 and response["Location"] == "/repertoire/RNCP10/"
    missing = client.get("/repertoire/RNCP999999/")
    assert missing.status_code == 404
    assert "Page non trouvée" in missing.content.decode()


def test_certifier_page_lists_its_fiches(client, registry):
    organisation = Organisation.objects.get(siret="11004301500012")
    html = client.get(f"/repertoire/certificateurs/{organisation.pk}/").content.decode()
    assert "MINISTERE DU TRAVAIL" in html
    assert "RNCP10" in html and "RNCP11" in html
    assert "dont 1 active" in html


def test_organisation_without_fiche_has_no_certifier_page(client, registry):
    lonely = Organisation.objects.create(name="Sans fiche", name_key="sans fiche")
    assert client.get(f"/repertoire/certificateurs/{lonely.pk}/").status_code == 404


def test_spaces_require_sign_in(client):
    for url, signin in (
        ("/espace/", "/connexion/"),
        # Holders sign in through their own page (OpenID Connect), not the organisations'.
        ("/passeport/", "/passeport/connexion/"),
        ("/vae/", "/connexion/"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{signin}?next=")


def test_fiche_page_lists_versions_and_equivalent_blocks(client):
    old = fiche("RNCP20", title="Ancienne version", active=False, blocks=("Gérer la paie",))
    new = fiche("RNCP21", title="Nouvelle version", blocks=("Gérer la paie", "Autre"))
    old.links = [("new", "RNCP21")]
    new.links = [("old", "RNCP20"), ("old", "RNCP19")]
    create(old, new)
    html = client.get("/repertoire/RNCP21/").content.decode()
    assert 'href="/repertoire/RNCP20/"' in html
    assert 'RNCP19 <span class="oc-muted">(absente du répertoire importé)</span>' in html
    assert "Blocs équivalents" in html and "RNCP20BC01" in html
