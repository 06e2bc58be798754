"""Ids in URLs and query strings beyond 64 bits are "not found", never a database error."""

import pytest

from opencertif.deposits.models import Deposit

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


@pytest.fixture
def manager(demo):
    return demo["university"].memberships.get().user


@pytest.mark.parametrize(
    "path",
    [
        f"/espace/depots/{HUGE}/",
        f"/espace/passages/{HUGE}/",
        f"/espace/organismes/{HUGE}/",
        f"/espace/tableur/{HUGE}/",
        f"/repertoire/certificateurs/{HUGE}/",
        f"/espace/depots/exemple/?organisation={HUGE}",
        "/espace/depots/exemple/?organisation=-3",
        f"/espace/depots/?page={HUGE}",
        "/espace/depots/?page=-1",
    ],
)
def test_a_huge_id_is_a_404_or_an_empty_page(client, manager, path):
    client.force_login(manager)
    response = client.get(path)
    assert response.status_code in (200, 302, 400, 404), (path, response.status_code)


def test_a_huge_deposit_number_in_the_api_is_refused(client, demo, manager):
    from opencertif.organisations.services import create_api_token

    token, secret = create_api_token(organisation=demo["university"], name="ERP", by=manager)
    for path in (f"/api/deposits/{HUGE}", f"/api/deposits/{HUGE}/report.xml", "/api/deposits/0"):
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert 400 <= response.status_code < 500, (path, response.status_code)
    assert not Deposit.objects.exists()
