"""GET /api/passages pages in the database, with the web list's filters, and answers 400
(never 500) to parameters it cannot read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencertif.deposits.models import Passage
from opencertif.organisations.services import create_api_token
from tests.deposits import builders as b
from tests.factories import page

pytestmark = pytest.mark.django_db

TOTAL = 250


@pytest.fixture
def secret(demo):
    manager = demo["university"].memberships.get().user
    _, value = create_api_token(organisation=demo["university"], name="ERP", by=manager)
    return value


@pytest.fixture
def many(deposit):
    """250 accepted passages of RNCP90001 (received in the same instant: ties to settle),
    and 3 of another certification."""
    b.person()
    deposit(b.deposit_file([b.passage(f"M{i:04d}") for i in range(TOTAL)]))
    deposit(b.deposit_file([b.passage(f"X{i}") for i in range(3)], code="RNCP90002"))
    return Passage.objects.count()


def get(client, url, secret):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")


def walk(client, url, secret) -> tuple[list[int], list[dict]]:
    ids, bodies = [], []
    while url:
        response = get(client, url, secret)
        assert response.status_code == 200, response.content
        body = response.json()
        bodies.append(body)
        ids.extend(item["id"] for item in body["items"])
        url = body["next"]
    return ids, bodies


def test_the_pages_follow_one_another_newest_first_without_gap_or_overlap(client, secret, many):
    ids, bodies = walk(client, "/api/passages", secret)
    expected = list(Passage.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert ids == expected and len(ids) == many == TOTAL + 3
    assert [len(body["items"]) for body in bodies] == [100, 100, 53]
    assert bodies[0]["count"] == many and bodies[-1]["next"] is None
    assert bodies[1]["count"] is None  # counted once, with the first page
    assert "apres=" in bodies[0]["next"]
    # The page numbers give the same pages.
    second = get(client, "/api/passages?page=2", secret).json()
    assert [item["id"] for item in second["items"]] == expected[100:200]
    assert get(client, "/api/passages?page=9", secret).json()["items"] == []


def test_a_page_reads_at_most_its_rows_from_the_database(client, secret, many):
    with CaptureQueriesContext(connection) as queries:
        body = get(client, "/api/passages", secret).json()
    assert len(body["items"]) == 100
    reads = [
        query["sql"]
        for query in queries.captured_queries
        if 'FROM "deposits_passage"' in query["sql"] and "COUNT(" not in query["sql"]
    ]
    assert reads and all("LIMIT 101" in sql for sql in reads), reads
    # The passages' JSON (fields, identity) is not read for a list.
    assert all('"deposits_passage"."identity"' not in sql for sql in reads)


def test_filters_are_those_of_the_web_list_and_page_as_well(client, secret, many):
    ids, bodies = walk(client, "/api/passages?certification=rncp90001&tri=id", secret)
    assert len(ids) == TOTAL
    assert "page=2" in bodies[0]["next"] and "apres" not in bodies[0]["next"]
    names = [
        item["id_technique"]
        for body in bodies
        for item in body["items"]  # tri=id: idTechnique A → Z
    ]
    assert names == sorted(names)
    # Counting would read every passage of the certifier: not done, except when the
    # whole selection fits on the page anyway.
    assert bodies[0]["count"] is None
    small = get(client, "/api/passages?certification=RNCP90002", secret).json()
    assert small["count"] == 3 and small["next"] is None
    assert get(client, "/api/passages?statut=ok", secret).json()["count"] == many
    assert get(client, "/api/passages?q=m000", secret).json()["count"] == 10
    assert get(client, "/api/passages?acces=VAE&obtention=PAR_ADMISSION", secret).status_code == 200


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        (f"page={10**30}", "page"),
        ("page=-3", "page"),
        ("page=deux", "page"),
        ("depot=-1", "depot"),
        ("depot=0", "depot"),
        ("depot=99999999999999999999", "depot"),
        (f"depot={2**63}", "depot"),
        ("depot=%C2%B2", "depot"),  # a superscript two: a digit to Python, not a number
        ("valide_du=9999-99-99", "valide_du"),
        ("valide_au=31/02/2025", "valide_au"),
        ("statut=faux", "statut"),
        ("tri=prix", "tri"),
        ("obtention=PAR_MAGIE", "obtention"),
        ("apres=pas-un-curseur", "apres"),
        ("apres=MjAyNnwx", "apres"),
        ("apres=OTk5OS0xMi0zMVQyMzo1OTo1OS45OTk5OTkrMDA6MDB8MQ", "apres"),  # the last instant
        ("apres=x&page=2", "apres"),
        ("q=" + "a" * 256, "q"),
    ],
)
def test_unreadable_parameters_answer_400_with_what_to_write(
    client, secret, many, query, parameter
):
    response = get(client, f"/api/passages?{query}", secret)
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith(f"{parameter} : ")


@pytest.mark.parametrize("passage_id", [2**63, 10**30, 2**64 + 1])
def test_a_passage_id_no_database_holds_is_not_found(client, secret, many, passage_id):
    assert get(client, f"/api/passages/{passage_id}", secret).status_code == 404
    response = client.post(
        f"/api/passages/{passage_id}/delete",
        {"reason": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 404


def test_a_deposit_number_in_range_but_unknown_is_an_empty_result(client, secret, many):
    body = get(client, f"/api/passages?depot={2**63 - 1}", secret).json()
    assert body == {"count": 0, "next": None, "items": []}


@pytest.mark.parametrize(
    "query", ["depot=-1", "valide_du=9999-99-99", "obtention=PAR_MAGIE", "statut=faux"]
)
def test_the_web_list_and_the_api_say_the_same_thing(client, secret, demo, many, query):
    message = get(client, f"/api/passages?{query}", secret).json()["detail"].split(" : ", 1)[1]
    client.force_login(demo["university"].memberships.get().user)
    assert message in page(client.get(f"/espace/passages/?{query}"))
