"""Out-of-range numbers in the query strings of the public registry and of its API.

Each answers a 4xx or an empty (or clamped) result, never a 500, on SQLite (which refuses
integers beyond 64 bits in SQL) and on PostgreSQL.
"""

import pytest

from opencertif.organisations.models import Organisation
from tests.registry.factories import create, fiche

pytestmark = pytest.mark.django_db

HUGE = "1" + "0" * 30
BEYOND_64_BITS = str(2**63)


@pytest.fixture
def registry():
    create(
        fiche("RNCP10", title="Responsable de la comptabilité", level="6"),
        fiche("RNCP11", title="Comptable assistant", level="4"),
    )
    return Organisation.objects.get(siret="11004301500012")


@pytest.fixture
def client(client):
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "query",
    [
        {"page": HUGE},
        {"page": "-5"},
        {"page": "1e99"},
        {"page": "NaN"},
        {"niveau": "-5"},
        {"niveau": HUGE},
        {"nsf": HUGE},
        {"rome": HUGE},
        {"tri": HUGE},
    ],
)
def test_search_page_ignores_or_clamps_odd_numbers(client, registry, query):
    response = client.get("/repertoire/", {"toutes": "1", **query})
    assert response.status_code == 200
    assert "2 certifications" in response.content.decode()


@pytest.mark.parametrize("certifier", [HUGE, BEYOND_64_BITS, "-1", "-" + BEYOND_64_BITS])
def test_search_page_with_an_impossible_certifier_finds_nothing(client, registry, certifier):
    response = client.get("/repertoire/", {"certificateur": certifier})
    assert response.status_code == 200
    assert "Aucune certification ne correspond" in response.content.decode()


@pytest.mark.parametrize("pk", [HUGE, BEYOND_64_BITS])
def test_certifier_page_with_an_impossible_id_is_a_404(client, registry, pk):
    assert client.get(f"/repertoire/certificateurs/{pk}/").status_code == 404


@pytest.mark.parametrize("page", [HUGE, "-3", "1e99", BEYOND_64_BITS])
def test_certifier_and_fiche_pages_clamp_their_page_numbers(client, registry, page):
    assert (
        client.get(f"/repertoire/certificateurs/{registry.pk}/", {"page": page}).status_code == 200
    )
    assert client.get("/repertoire/RNCP10/", {"partenaires": page}).status_code == 200


API = "/api/registry/certifications"


@pytest.mark.parametrize("certifier", [HUGE, BEYOND_64_BITS, "-" + BEYOND_64_BITS, "-1"])
def test_api_search_with_an_impossible_certifier_is_empty(client, registry, certifier):
    response = client.get(API, {"certifier": certifier})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_api_search_clamps_a_page_beyond_the_last(client, registry):
    data = client.get(API, {"page": HUGE}).json()
    assert (data["count"], data["page"], data["pages"]) == (2, 1, 1)


@pytest.mark.parametrize(
    "query",
    [
        {"per_page": HUGE},
        {"per_page": "0"},
        {"page": "-1"},
        {"page": "0"},
        {"page": "1e99"},
        {"page": "NaN"},
        {"level": "-5"},
        {"level": HUGE},
        {"nsf": HUGE},
    ],
)
def test_api_search_refuses_out_of_range_values_with_a_client_error(client, registry, query):
    response = client.get(API, query)
    assert response.status_code == 400
    assert next(iter(query)) in response.content.decode()


def test_api_fiche_with_an_absurd_number_is_a_404(client, registry):
    assert client.get(f"{API}/RNCP{HUGE}").status_code == 404
