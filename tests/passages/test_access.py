"""Access to passages follows the active delegation: a depositor sees the passages it
deposited for a certifier only while that certifier delegates deposit to it; the
certifier always sees its own."""

import pytest

from opencertif.deposits import services
from opencertif.deposits.lifecycle import PassageError
from opencertif.deposits.models import Delegation, Passage
from opencertif.organisations.services import create_api_token
from opencertif.passages import bulk_deletions
from opencertif.passages.listing import of_organisation
from opencertif.passages.models import BulkDeletion
from tests.deposits import builders as b
from tests.factories import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(deposit, demo):
    """T-1 deposited by the third party for the university (delegated), U-1 by the
    university itself."""
    b.person()
    deposit(
        b.deposit_file([b.passage("T-1")], emitter="DEMO0002"),
        organisation=demo["third_party"],
    )
    deposit(b.deposit_file([b.passage("U-1")]))
    university = demo["university"].memberships.get().user
    third_party = demo["third_party"].memberships.get().user
    _, university_secret = create_api_token(
        organisation=demo["university"], name="ERP", by=university
    )
    _, third_party_secret = create_api_token(
        organisation=demo["third_party"], name="Logiciel du tiers", by=third_party
    )
    return {
        **demo,
        "tiers": Passage.objects.get(id_technique="T-1"),
        "own": Passage.objects.get(id_technique="U-1"),
        "university_user": university,
        "third_party_user": third_party,
        "university_secret": university_secret,
        "third_party_secret": third_party_secret,
    }


def revoke(world):
    delegation = Delegation.objects.active().get(
        depositor__id_client="DEMO0002", certifier__id_client="DEMO0001"
    )
    services.revoke_delegation(delegation=delegation, by=world["university_user"])


def api_ids(client, secret) -> list[str]:
    body = client.get("/api/passages", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    return [item["id_technique"] for item in body["items"]]


def csv_export(client) -> str:
    response = client.get("/espace/passages/export.csv")
    return b"".join(response.streaming_content).decode("utf-8-sig")


def sees(client, world, passage) -> dict[str, bool]:
    """Whether the signed-in user reaches the passage through each door."""
    return {
        "page": client.get(f"/espace/passages/{passage.pk}/").status_code == 200,
        "list": passage.id_technique in page(client.get("/espace/passages/")),
        "csv": passage.id_technique in csv_export(client),
        "xlsx": client.get("/espace/passages/export.xlsx").status_code == 200,
    }


def test_the_depositor_sees_what_it_deposited_while_the_delegation_lasts(client, world):
    client.force_login(world["third_party_user"])
    assert sees(client, world, world["tiers"]) == dict.fromkeys(
        ("page", "list", "csv", "xlsx"), True
    )
    # Not the certifier's own passages, never.
    assert client.get(f"/espace/passages/{world['own'].pk}/").status_code == 404
    assert api_ids(client, world["third_party_secret"]) == ["T-1"]
    detail = client.get(
        f"/api/passages/{world['tiers'].pk}",
        HTTP_AUTHORIZATION=f"Bearer {world['third_party_secret']}",
    )
    assert detail.status_code == 200
    selection = bulk_deletions.select(
        organisation=world["third_party"], kind="selection", criteria={"ids": [world["tiers"].pk]}
    )
    assert selection.ids == [world["tiers"].pk]


def test_after_revocation_the_former_depositor_loses_every_door_at_once(client, world):
    revoke(world)
    tiers = world["tiers"]
    client.force_login(world["third_party_user"])
    for url in (
        f"/espace/passages/{tiers.pk}/",
        f"/espace/passages/{tiers.pk}/modifier/",
        f"/espace/passages/{tiers.pk}/supprimer/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/espace/passages/{tiers.pk}/supprimer/", {"reason": "x"}).status_code == 404
    )
    assert client.post(f"/espace/passages/{tiers.pk}/restaurer/").status_code == 404
    text = page(client.get("/espace/passages/"))
    assert "T-1" not in text and "0 passage" in text
    assert client.get("/espace/passages/?q=T-1").status_code == 200  # no direct hit
    assert "T-1" not in csv_export(client)
    assert not of_organisation(world["third_party"]).exists()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world['third_party_secret']}"}
    assert api_ids(client, world["third_party_secret"]) == []
    assert client.get(f"/api/passages/{tiers.pk}", **auth).status_code == 404
    response = client.post(
        f"/api/passages/{tiers.pk}/delete",
        {"reason": "x"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 404
    with pytest.raises(PassageError):
        bulk_deletions.prepare(
            organisation=world["third_party"],
            selection=bulk_deletions.select(
                organisation=world["third_party"], kind="selection", criteria={"ids": [tiers.pk]}
            ),
            by=world["third_party_user"],
        )
    tiers.refresh_from_db()
    assert tiers.status == "ok" and not tiers.events.exists()


def test_the_certifier_keeps_seeing_the_passages_after_revoking(client, world):
    revoke(world)
    client.force_login(world["university_user"])
    assert sees(client, world, world["tiers"]) == dict.fromkeys(
        ("page", "list", "csv", "xlsx"), True
    )
    assert sorted(api_ids(client, world["university_secret"])) == ["T-1", "U-1"]


def test_a_new_delegation_gives_the_access_back(client, world):
    revoke(world)
    services.activate(
        organisation=world["third_party"],
        situation="third_party",
        by=world["third_party_user"],
        depositor_id_client="DEMO0002",
        certifier_id_clients=["DEMO0001"],
    )
    client.force_login(world["third_party_user"])
    assert client.get(f"/espace/passages/{world['tiers'].pk}/").status_code == 200


def test_a_mass_deletion_confirmed_before_the_revocation_spares_the_certifiers_passages(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    selection = bulk_deletions.select(
        organisation=world["third_party"], kind="selection", criteria={"ids": [world["tiers"].pk]}
    )
    bulk = bulk_deletions.prepare(
        organisation=world["third_party"], selection=selection, by=world["third_party_user"]
    )
    monkeypatch.setattr(bulk_deletions, "enqueue", lambda pk: None)  # the worker is late
    with django_capture_on_commit_callbacks(execute=True):
        bulk_deletions.confirm(
            bulk=bulk, confirmation="SUPPRIMER 1", reason="Erreur", by=world["third_party_user"]
        )
    revoke(world)
    bulk_deletions.run(bulk.pk)
    assert BulkDeletion.objects.get(pk=bulk.pk).deleted_count == 0
    assert Passage.objects.get(pk=world["tiers"].pk).status == "ok"


def test_a_draft_confirmed_after_the_revocation_asks_to_look_again(world):
    selection = bulk_deletions.select(
        organisation=world["third_party"], kind="selection", criteria={"ids": [world["tiers"].pk]}
    )
    bulk = bulk_deletions.prepare(
        organisation=world["third_party"], selection=selection, by=world["third_party_user"]
    )
    revoke(world)
    with pytest.raises(bulk_deletions.SelectionChanged):
        bulk_deletions.confirm(
            bulk=bulk, confirmation="SUPPRIMER 1", reason="Erreur", by=world["third_party_user"]
        )
    assert not bulk_deletions.sample(BulkDeletion.objects.get(pk=bulk.pk)).exists()
