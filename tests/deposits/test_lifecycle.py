"""The functions that change a passage's status: delete and restore (one passage or a
batch: a SUPPRESSION file's, a mass deletion's), purge; their history and audit."""

import datetime
import importlib

import pytest
import time_machine
from django.utils import timezone

from opencertif.core.models import AuditEntry
from opencertif.deposits import lifecycle
from opencertif.deposits.models import Passage, PassageEvent
from opencertif.passages import care
from tests.deposits import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(demo):
    return demo["university"].memberships.get().user


def test_delete_then_restore_brings_the_passage_back_as_it_was(deposit, manager):
    camille = b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    passage = Passage.objects.get()
    with pytest.raises(lifecycle.PassageError):
        lifecycle.delete(passage, by=manager, reason="  ")
    lifecycle.delete(passage, by=manager, reason="Jury annulé")
    assert passage.status == "deleted" and passage.deletion_reason == "Jury annulé"
    assert not Passage.objects.filter(person=camille, status="ok").exists()
    lifecycle.restore(passage, by=manager)
    assert (passage.status, passage.person, passage.deleted_at) == ("ok", camille, None)
    kinds = list(passage.events.values_list("kind", flat=True))
    assert kinds == ["deleted", "restored"]
    assert (
        AuditEntry.objects.filter(action__in=["passage.deleted", "passage.restored"]).count() == 2
    )


def test_restoring_is_refused_after_30_days_and_the_content_is_purged(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    passage = Passage.objects.get()
    lifecycle.delete(passage, by=manager, reason="Erreur")
    later = timezone.now() + datetime.timedelta(days=31)
    assert lifecycle.purge_deleted(now=timezone.now()) == 0
    with time_machine.travel(later):
        with pytest.raises(lifecycle.PassageError, match="plus de 30 jours"):
            lifecycle.restore(passage, by=manager)
        assert lifecycle.purge_deleted() == 1
        assert lifecycle.purge_deleted() == 0  # twice: nothing more
    passage.refresh_from_db()
    assert passage.fields == {} and passage.identity == {} and passage.person is None
    assert passage.id_technique == "P1" and passage.purged_at is not None


def test_a_suppression_deposit_can_be_restored_too(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    removal = [
        {"id_technique": "P1", "fields": {}, "identity_kind": "holder", "identity": b.holder()}
    ]
    deposit(b.deposit_file(removal, action="SUPPRESSION"), name="suppr.xml")
    passage = Passage.objects.get()
    assert lifecycle.can_restore(passage)
    lifecycle.restore(passage, by=manager)
    assert passage.status == "ok" and passage.fields["honours"] == "MENTION_BIEN"


def test_a_suppression_file_writes_the_history_and_one_audit_entry(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("P1"), b.passage("P2")]))
    removal = b.deposit_file([b.passage("P1"), b.passage("P2")], action="SUPPRESSION")
    done = deposit(removal, name="suppr.xml")
    assert done.deleted_count == 2
    events = PassageEvent.objects.order_by("passage__id_technique")
    assert [(e.kind, e.changes, e.deposit_id) for e in events] == [
        ("deleted", {"status": ["ok", "deleted"]}, done.pk)
    ] * 2
    entry = AuditEntry.objects.get(action="passages.deleted")
    assert (entry.object_type, entry.object_id) == ("deposits.deposit", str(done.pk))
    assert sorted(entry.changes["ids"]) == sorted(Passage.objects.values_list("pk", flat=True))
    assert entry.changes["count"] == 2
    # The deposit's line says the deletion, once.
    steps = care.history(Passage.objects.get(id_technique="P1"))
    assert [step.code for step in steps] == ["accepted", "deleted"]
    assert steps[-1].deposit_id == done.pk


def test_deleting_one_passage_twice_is_refused_and_a_batch_skips_the_deleted_ones(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("P1"), b.passage("P2")]))
    first, second = Passage.objects.order_by("id_technique")
    lifecycle.delete(first, by=manager, reason="Erreur")
    with pytest.raises(lifecycle.PassageError, match="déjà supprimé"):
        lifecycle.delete(first, by=manager, reason="Erreur")
    deleted = lifecycle.delete(
        Passage.objects.all(), by=manager, reason="Tout", about=second.certifier
    )
    assert deleted == [second.pk]
    assert PassageEvent.objects.filter(kind="deleted").count() == 2
    batch = AuditEntry.objects.get(action="passages.deleted")
    assert batch.changes == {"ids": [second.pk], "count": 1} and batch.actor == manager


def test_a_batch_restore_brings_back_the_status_before_and_says_so(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("OK"), b.passage("KO", identity=b.holder(year=1991))]))
    ids = list(Passage.objects.order_by("pk").values_list("pk", flat=True))
    lifecycle.delete(ids, by=manager, reason="Lot", bulk_deletion_id=7, about=manager)
    assert set(Passage.objects.values_list("bulk_deletion_id", flat=True)) == {7}
    assert lifecycle.restore(ids, by=manager, bulk_deletion_id=7, about=manager) == ids
    assert dict(Passage.objects.values_list("id_technique", "status")) == {"OK": "ok", "KO": "ko"}
    restored = PassageEvent.objects.filter(kind="restored").order_by("passage_id")
    assert [e.changes["status"] for e in restored] == [["deleted", "ok"], ["deleted", "ko"]]
    assert AuditEntry.objects.get(action="passages.restored").changes["count"] == 2


def test_the_purge_is_audited_once_with_the_ids(deposit, manager):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    passage = Passage.objects.get()
    lifecycle.delete(passage, by=manager, reason="Erreur")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        assert not lifecycle.can_restore(passage)
        assert lifecycle.purge_deleted() == 1
    entry = AuditEntry.objects.get(action="passages.purged")
    assert entry.object_type == "deposits.passage" and entry.changes["ids"] == [passage.pk]
    assert passage.events.order_by("id").last().kind == "purged"


def test_old_history_rows_get_their_statuses_as_codes(deposit):
    from django.apps import apps

    migration = importlib.import_module("opencertif.deposits.migrations.0014_history_status_codes")
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    passage = Passage.objects.get()
    old = PassageEvent.objects.create(
        passage=passage, kind="reexamined", changes={"statut": ["KO", "OK"]}
    )
    label = PassageEvent.objects.create(
        passage=passage, kind="deleted", changes={"status": ["Accepté", "Supprimé"]}
    )
    migration.status_codes(apps, None)
    old.refresh_from_db()
    label.refresh_from_db()
    assert old.changes == {"status": ["ko", "ok"]}
    assert label.changes == {"status": ["ok", "deleted"]}
