"""Reads of holder data are audited — who, which passages, how many — without the
holder's identity nor the typed search text."""

import json

import pytest

from opencertif.core.models import AuditEntry
from opencertif.deposits.models import Passage
from opencertif.organisations.services import create_api_token
from tests.deposits import builders as b

pytestmark = pytest.mark.django_db

NIR = "2900575056123"
SECRETS = ("quillard", "hortense", NIR, "2 90 05")


@pytest.fixture
def passages(deposit):
    b.person(birth_name="Quillard", first_name="Hortense", nir=NIR)
    deposit(
        b.deposit_file(
            [
                b.passage(
                    "R-NAME", identity=b.holder(birth_name="Quillard", first_name="Hortense")
                ),
                b.passage(
                    "R-NIR", kind="national_id", identity={"nir": NIR, "birth_name": "Quillard"}
                ),
                b.passage("R-OTHER"),
            ]
        )
    )
    return {p.id_technique: p for p in Passage.objects.all()}


@pytest.fixture
def manager(demo):
    return demo["university"].memberships.get().user


@pytest.fixture
def secret(demo, manager):
    _, value = create_api_token(organisation=demo["university"], name="ERP", by=manager)
    return value


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def assert_nothing_personal(entry: AuditEntry, *typed: str) -> None:
    text = json.dumps([entry.actor_label, entry.summary, entry.changes], ensure_ascii=False)
    for secret in (*SECRETS, *typed):
        assert secret.lower() not in text.lower(), (secret, text)


def test_the_passage_page_is_audited_with_the_reader_and_the_passage(client, manager, passages):
    client.force_login(manager)
    passage = passages["R-NIR"]
    assert client.get(f"/espace/passages/{passage.pk}/").status_code == 200
    [entry] = entries("passage.viewed")
    assert entry.actor == manager and entry.object_type == "deposits.passage"
    assert entry.object_id == str(passage.pk) and entry.changes["ids"] == [passage.pk]
    assert_nothing_personal(entry)


def test_the_list_and_the_exports_record_ids_and_count_never_the_search(client, manager, passages):
    client.force_login(manager)
    client.get("/espace/passages/?q=Quillard&statut=ok")
    [listed] = entries("passages.listed")
    assert sorted(listed.changes["ids"]) == sorted(passages[key].pk for key in ("R-NAME", "R-NIR"))
    assert listed.changes["count"] == 2
    assert listed.changes["criteria"] == {"statut": "ok", "recherche": "oui"}
    assert_nothing_personal(listed, "quillard")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/espace/passages/export.{fmt}?q=Hortense&certification=RNCP90001")
        assert response.status_code == 200
        b"".join(response.streaming_content)
    exported = entries("passages.exported")
    assert len(exported) == 2
    for entry in exported:
        assert entry.actor == manager and entry.changes["count"] == 1
        assert entry.changes["ids"] == [passages["R-NAME"].pk]
        assert entry.changes["criteria"] == {"certification": "RNCP90001", "recherche": "oui"}
        assert_nothing_personal(entry, "hortense")


def test_api_reads_are_audited_under_the_tokens_name(client, secret, passages):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = client.get("/api/passages?q=Quillard&id_technique=R-NIR", **auth).json()
    assert [item["id_technique"] for item in body["items"]] == ["R-NIR"]
    [listed] = entries("passages.listed")
    assert listed.actor is None and listed.actor_label == "API (ERP)"
    assert listed.changes["ids"] == [passages["R-NIR"].pk] and listed.changes["count"] == 1
    assert_nothing_personal(listed, "quillard", "R-NIR")
    passage = passages["R-NIR"]
    assert client.get(f"/api/passages/{passage.pk}", **auth).status_code == 200
    [viewed] = entries("passage.viewed")
    assert viewed.actor_label == "API (ERP)" and viewed.object_id == str(passage.pk)
    assert_nothing_personal(viewed)


def test_a_passage_one_may_not_see_leaves_no_read_in_the_audit(client, demo, passages):
    from tests import factories

    stranger = factories.manager(factories.organisation("Autre organisme"))
    client.force_login(stranger)
    assert client.get(f"/espace/passages/{passages['R-NIR'].pk}/").status_code == 404
    assert not entries("passage.viewed")
