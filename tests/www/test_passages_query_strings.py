"""Numbers out of any column's range in the passages pages' query strings and paths give
a message, a 400, an empty result or a 404 — never a 500."""

import pytest

from opencertif.deposits.models import Passage
from opencertif.passages.models import BulkDeletion
from tests.deposits import builders as b
from tests.factories import page

pytestmark = pytest.mark.django_db

HUGE = "1" + "0" * 30
BEYOND_64_BITS = str(2**64 + 1)


@pytest.fixture
def signed_in(client, demo, deposit):
    b.person()
    deposit(b.deposit_file([b.passage("Q-1"), b.passage("Q-2")]))
    client.force_login(demo["university"].memberships.get().user)
    return client


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("depot=-1", "numéro d'un dépôt"),
        ("depot=0", "numéro d'un dépôt"),
        ("depot=99999999999999999999", "numéro d'un dépôt"),
        (f"depot={2**63}", "numéro d'un dépôt"),
        ("valide_du=9999-99-99", "Date invalide"),
        ("valide_au=0000-00-00", "Date invalide"),
        ("statut=%00", "Statut inconnu"),
        ("tri=prix", "Tri inconnu"),
    ],
)
def test_an_unreadable_filter_is_said_beside_its_field(signed_in, query, message):
    response = signed_in.get(f"/espace/passages/?{query}")
    assert response.status_code == 200 and message in page(response)


@pytest.mark.parametrize("number", [HUGE, "-1", "0", "deux", BEYOND_64_BITS])
def test_any_page_number_shows_a_page(signed_in, number):
    response = signed_in.get(f"/espace/passages/?page={number}")
    assert response.status_code == 200 and "Q-1" in page(response)


def test_a_deposit_number_in_range_but_unknown_is_an_empty_list(signed_in):
    text = page(signed_in.get(f"/espace/passages/?depot={2**63 - 1}"))
    assert "Aucun passage ne correspond" in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("query", ["depot=99999999999999999999", "valide_du=9999-99-99"])
def test_an_export_with_an_unreadable_filter_is_refused_not_widened(signed_in, fmt, query):
    response = signed_in.get(f"/espace/passages/export.{fmt}?{query}")
    assert response.status_code == 400
    assert "Corrigez-les dans la liste des passages" in response.content.decode()


@pytest.mark.parametrize("pk", [HUGE, BEYOND_64_BITS, str(2**63)])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/espace/passages/{pk}/"),
        ("get", "/espace/passages/{pk}/modifier/"),
        ("get", "/espace/passages/{pk}/supprimer/"),
        ("get", "/espace/passages/suppressions/{pk}/"),
        ("post", "/espace/passages/{pk}/restaurer/"),
    ],
)
def test_a_passage_number_no_database_holds_is_not_found(signed_in, pk, method, path):
    assert getattr(signed_in, method)(path.format(pk=pk)).status_code == 404


def test_checked_passages_beyond_64_bits_select_nothing(signed_in):
    ids = [str(Passage.objects.get(id_technique="Q-1").pk), HUGE, BEYOND_64_BITS, "²"]
    response = signed_in.post("/espace/passages/suppression/", {"kind": "selection", "ids": ids})
    assert response.status_code == 302
    assert BulkDeletion.objects.get().passage_ids == [int(ids[0])]
    response = signed_in.post("/espace/passages/suppression/", {"kind": "selection", "ids": [HUGE]})
    assert response.status_code == 302 and BulkDeletion.objects.count() == 1


@pytest.mark.parametrize("number", [HUGE, BEYOND_64_BITS, "-1"])
def test_a_deposit_criterion_beyond_64_bits_is_refused(signed_in, number):
    response = signed_in.post(
        "/espace/passages/suppression/", {"kind": "deposit", "deposit": number}
    )
    assert response.status_code == 200 and not BulkDeletion.objects.exists()
