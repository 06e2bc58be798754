import pytest

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
        ),
        fiche("RNCP11", title="Comptable assistant", level="4", active=False),
        fiche("RS12", title="Tableur pour la comptabilité"),
    )


def test_list_filters_and_paginates_like_the_page(client, registry):
    response = client.get("/api/registry/certifications", {"q": "comptabilite", "level": "6"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    result = data["results"][0]
    assert result["number"] == "RNCP10"
    assert result["register"] == "rncp"
    assert result["certifiers"][0]["siret"] == "11004301500012"
    assert result["url"].endswith("/repertoire/RNCP10/")
    # RS12 matches the words but has no level, so the level filter leaves it out
    assert {f["value"]: f["count"] for f in data["facets"]["register"]} == {"rncp": 1, "rs": 0}


def test_list_can_include_inactive_and_page(client, registry):
    data = client.get(
        "/api/registry/certifications", {"active_only": "false", "per_page": 2, "sort": "numero"}
    ).json()
    assert (data["count"], data["pages"]) == (3, 2)
    assert [r["number"] for r in data["results"]] == ["RNCP10", "RNCP11"]


def test_invalid_filter_is_a_400_saying_which(client, registry):
    response = client.get("/api/registry/certifications", {"level": "12"})
    assert response.status_code == 400
    assert "level" in response.content.decode()
    assert client.get("/api/registry/certifications", {"per_page": 1000}).status_code == 400


def test_detail_and_404(client, registry):
    data = client.get("/api/registry/certifications/rncp10").json()
    assert data["number"] == "RNCP10"
    assert data["blocks"][0]["code"] == "RNCP10BC01"
    assert client.get("/api/registry/certifications/RNCP999").status_code == 404


def test_openapi_and_docs_are_public(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/registry/certifications" in schema["paths"]
    assert "/api/registry/certifications/{number}" in schema["paths"]
    assert client.get("/api/docs").status_code == 200
