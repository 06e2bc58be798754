import pytest

from opencertif.core.models import AuditEntry
from opencertif.deposits.models import Passage
from opencertif.organisations.services import create_api_token
from tests import factories
from tests.deposits import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(demo):
    manager = demo["university"].memberships.get().user
    _, value = create_api_token(organisation=demo["university"], name="ERP", by=manager)
    return value


@pytest.fixture
def passages(deposit):
    b.person(nir="2900575056123")
    deposit(
        b.deposit_file(
            [
                b.passage("A-OK"),
                b.passage("A-KO", identity=b.holder(year=1991)),
                b.passage(
                    "A-NIR",
                    kind="national_id",
                    identity={"nir": "2900575056123", "birth_name": "Martin"},
                ),
            ]
        )
    )
    return {p.id_technique: p for p in Passage.objects.all()}


def get(client, url, secret):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_list_filter_and_read_a_passage(client, secret, passages):
    body = get(client, "/api/passages", secret).json()
    assert body["count"] == 3
    ko = get(client, "/api/passages?statut=ko", secret).json()["items"]
    assert [item["id_technique"] for item in ko] == ["A-KO"]
    assert "Aucun titulaire" in ko[0]["ko_message"]
    one = get(client, "/api/passages?id_technique=A-NIR", secret).json()["items"][0]
    detail = get(client, f"/api/passages/{one['id']}", secret).json()
    assert detail["identity"]["nir"] == "2 90 05 •• ••• •••"  # never the whole NIR
    assert detail["history"][0]["event"].startswith("Accepté par le dépôt")
    assert get(client, "/api/passages?statut=faux", secret).status_code == 400


def test_delete_and_restore_by_api_are_audited(client, secret, passages):
    passage = passages["A-OK"]
    refused = client.post(
        f"/api/passages/{passage.pk}/delete",
        {"reason": " "},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert refused.status_code == 409 and "motif" in refused.json()["detail"]
    done = client.post(
        f"/api/passages/{passage.pk}/delete",
        {"reason": "Jury annulé"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    ).json()
    assert done["status"] == "deleted" and done["restorable_until"]
    entry = AuditEntry.objects.get(action="passage.deleted")
    assert entry.actor is None and entry.actor_label == "API (ERP)"
    restored = client.post(
        f"/api/passages/{passage.pk}/restore", HTTP_AUTHORIZATION=f"Bearer {secret}"
    ).json()
    assert restored["status"] == "ok"
    # The history gives codes and French labels, of the events and of the statuses.
    deleted, back = restored["history"][-2:]
    assert (deleted["code"], deleted["label"], back["code"]) == ("deleted", "Supprimé", "restored")
    assert deleted["by"] == "API (ERP)" and deleted["detail"] == "Jury annulé"
    assert deleted["changes"] == [
        {
            "field": "status",
            "label": "Statut",
            "before": "ok",
            "before_label": "Accepté",
            "after": "deleted",
            "after_label": "Supprimé",
        }
    ]
    assert restored["history"][0]["code"] == "accepted"
    again = client.post(
        f"/api/passages/{passage.pk}/restore", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert again.status_code == 409


def test_another_organisation_and_anonymous_callers_get_nothing(client, demo, passages):
    other = factories.organisation("Autre")
    _, other_secret = create_api_token(organisation=other, name="x", by=factories.manager(other))
    passage = passages["A-OK"]
    assert get(client, "/api/passages", other_secret).json()["count"] == 0
    assert get(client, f"/api/passages/{passage.pk}", other_secret).status_code == 404
    response = client.post(
        f"/api/passages/{passage.pk}/delete",
        {"reason": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {other_secret}",
    )
    assert response.status_code == 404
    assert Passage.objects.get(pk=passage.pk).status == "ok"
    assert client.get("/api/passages").status_code == 401
    assert get(client, "/api/passages", "faux").status_code == 401
