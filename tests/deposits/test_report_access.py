"""The processing report names holders: a depositor reads it passage by passage only
while the certifier delegates deposit to it, like the passages themselves."""

import pytest

from opencertif.deposits import services
from opencertif.deposits.models import Delegation
from opencertif.organisations.services import create_api_token
from tests.deposits import builders as b
from tests.factories import page

pytestmark = pytest.mark.django_db


def test_a_revoked_delegation_hides_the_reports_of_the_former_depositor(client, deposit, demo):
    b.person()
    done = deposit(
        b.deposit_file([b.passage("T-1")], emitter="DEMO0002"), organisation=demo["third_party"]
    )
    depositor = demo["third_party"].memberships.get().user
    certifier = demo["university"].memberships.get().user
    _, secret = create_api_token(organisation=demo["third_party"], name="Tiers", by=depositor)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client.force_login(depositor)
    assert "Martin Camille" in page(client.get(f"/espace/depots/{done.pk}/"))
    assert client.get(f"/espace/depots/{done.pk}/accuse.csv").status_code == 200
    assert client.get(f"/api/deposits/{done.pk}/report.csv", **auth).status_code == 200

    delegation = Delegation.objects.active().get(
        depositor__id_client="DEMO0002", certifier__id_client="DEMO0001"
    )
    services.revoke_delegation(delegation=delegation, by=certifier)
    html = page(client.get(f"/espace/depots/{done.pk}/"))
    assert "Martin Camille" not in html and "a retiré la délégation" in html
    assert client.get(f"/espace/depots/{done.pk}/accuse.csv").status_code == 404
    assert client.get(f"/api/deposits/{done.pk}/report.csv", **auth).status_code == 403
    client.force_login(certifier)
    assert "Martin Camille" in page(client.get(f"/espace/depots/{done.pk}/"))
    assert client.get(f"/espace/depots/{done.pk}/accuse.xlsx").status_code == 200
