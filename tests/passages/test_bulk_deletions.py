"""Mass deletion: selection, typed confirmation, background run, resumption, restoration."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from opencertif.core import workers
from opencertif.core.models import AuditEntry
from opencertif.core.workflow import TransitionNotAllowed
from opencertif.deposits.models import Passage, PassageEvent
from opencertif.passages import bulk_deletions
from opencertif.passages.models import BulkDeletion
from tests.deposits import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(deposit, demo):
    b.person()
    done = deposit(b.deposit_file([b.passage(f"P{i}") for i in range(7)]))
    return done


def draft(demo, **criteria):
    selection = bulk_deletions.select(
        organisation=demo["university"], kind=criteria.pop("kind", "deposit"), criteria=criteria
    )
    return bulk_deletions.prepare(organisation=demo["university"], selection=selection, by=None)


def confirm(bulk, django_capture_on_commit_callbacks, phrase=None):
    with django_capture_on_commit_callbacks(execute=True):
        bulk_deletions.confirm(
            bulk=bulk,
            confirmation=phrase or f"SUPPRIMER {bulk.total}",
            reason="Fichier erroné",
            by=None,
        )
    bulk.refresh_from_db()
    return bulk


def test_a_killed_run_resumes_and_deletes_each_passage_once(
    seven, demo, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(bulk_deletions, "BATCH", 3)
    bulk = draft(demo, deposit=seven.pk)
    monkeypatch.setattr(bulk_deletions, "enqueue", lambda pk: None)  # no worker yet
    bulk = confirm(bulk, django_capture_on_commit_callbacks)
    assert bulk.state == "queued"
    original = PassageEvent.objects.bulk_create
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch: the first one is committed
            raise SystemExit("worker killed")
        return original(*args, **kwargs)

    monkeypatch.setattr(PassageEvent.objects, "bulk_create", dying)
    with pytest.raises(SystemExit):
        bulk_deletions.run(bulk.pk)
    bulk.refresh_from_db()
    assert bulk.state == "running" and bulk.processed == 3
    assert Passage.objects.filter(status="deleted").count() == 3
    monkeypatch.setattr(PassageEvent.objects, "bulk_create", original)
    bulk_deletions.run(bulk.pk)
    bulk_deletions.run(bulk.pk)  # twice: nothing more
    bulk.refresh_from_db()
    assert (bulk.state, bulk.processed, bulk.deleted_count) == ("done", 7, 7)
    assert Passage.objects.filter(status="deleted").count() == 7
    assert PassageEvent.objects.filter(kind="deleted", bulk_deletion_id=bulk.pk).count() == 7
    # One audit entry per committed batch, about the mass deletion, with its ids.
    batches = AuditEntry.objects.filter(action="passages.deleted", object_id=str(bulk.pk))
    assert sorted(entry.changes["count"] for entry in batches) == [1, 3, 3]


def test_a_starting_worker_enqueues_again_the_mass_deletions_left_under_way(
    seven, demo, monkeypatch, django_capture_on_commit_callbacks
):
    # The worker is a command of the deposits app, below this one: it finds this work
    # through settings.RESUME_AT_WORKER_START, never by importing the passages app.
    enqueued = []
    monkeypatch.setattr(bulk_deletions, "enqueue", enqueued.append)  # the worker is down
    bulk = confirm(draft(demo, deposit=seven.pk), django_capture_on_commit_callbacks)
    enqueued.clear()
    assert workers.resume_at_start() == ["1 suppression(s) en masse reprise(s)."]
    assert enqueued == [bulk.pk]
    bulk_deletions.run(bulk.pk)
    assert workers.resume_at_start() == []


def test_the_typed_confirmation_must_match_the_count(seven, demo):
    bulk = draft(demo, deposit=seven.pk)
    for wrong in ("SUPPRIMER", "supprimer 6", "7", ""):
        with pytest.raises(bulk_deletions.PassageError, match="SUPPRIMER 7"):
            bulk_deletions.confirm(bulk=bulk, confirmation=wrong, reason="x", by=None)
    with pytest.raises(bulk_deletions.PassageError, match="motif"):
        bulk_deletions.confirm(bulk=bulk, confirmation="SUPPRIMER 7", reason=" ", by=None)
    assert BulkDeletion.objects.get().state == "draft"


def test_a_second_confirmation_does_not_start_it_twice(
    seven, demo, django_capture_on_commit_callbacks
):
    bulk = draft(demo, deposit=seven.pk)
    stale = BulkDeletion.objects.get(pk=bulk.pk)
    confirm(bulk, django_capture_on_commit_callbacks)
    with pytest.raises(bulk_deletions.PassageError, match="déjà été confirmée"):
        bulk_deletions.confirm(bulk=stale, confirmation="SUPPRIMER 7", reason="x", by=None)
    # Two confirmations racing past that check: the transition's row lock stops one.
    with pytest.raises(TransitionNotAllowed):
        stale.confirm(reason="x", by=None)


def test_restoration_after_30_days_is_refused(seven, demo, django_capture_on_commit_callbacks):
    bulk = confirm(draft(demo, deposit=seven.pk), django_capture_on_commit_callbacks)
    assert bulk.state == "done" and bulk_deletions.can_restore(bulk)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        assert not bulk_deletions.can_restore(bulk)
        with pytest.raises(bulk_deletions.PassageError, match="plus de 30 jours"):
            bulk_deletions.request_restore(bulk=bulk, by=None)


def test_restoring_leaves_passages_deposited_again_alone(
    seven, demo, deposit, django_capture_on_commit_callbacks
):
    bulk = confirm(draft(demo, deposit=seven.pk), django_capture_on_commit_callbacks)
    again = deposit(b.deposit_file([b.passage("P0", honours="SANS_MENTION")]), name="again.xml")
    assert again.ok_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        bulk_deletions.request_restore(bulk=bulk, by=None)
    bulk.refresh_from_db()
    assert (bulk.state, bulk.restored_count) == ("restored", 6)
    assert Passage.objects.get(id_technique="P0").fields["honours"] == "SANS_MENTION"
    assert Passage.objects.filter(status="ok").count() == 7


def test_a_list_longer_than_a_query_can_carry_is_read_in_chunks(seven, demo):
    values = [f"X{i}" for i in range(40_000)] + ["P3"]
    selection = bulk_deletions.select(
        organisation=demo["university"],
        kind="id_list",
        criteria={"id_techniques_text": "\n".join(values)},
    )
    assert selection.total == 1 and len(selection.not_found) == 40_000


def test_an_organisation_cannot_select_another_ones_passages(seven, demo):
    from tests import factories

    outsider = factories.organisation("Autre")
    with pytest.raises(bulk_deletions.PassageError, match="Choisissez un dépôt"):
        bulk_deletions.select(organisation=outsider, kind="deposit", criteria={"deposit": seven.pk})
    selection = bulk_deletions.select(
        organisation=outsider, kind="id_list", criteria={"id_techniques_text": "P1\nP2"}
    )
    assert selection.total == 0


def test_a_failed_run_can_be_retried(seven, demo, monkeypatch, django_capture_on_commit_callbacks):
    bulk = draft(demo, deposit=seven.pk)
    monkeypatch.setattr(bulk_deletions, "enqueue", lambda pk: None)
    bulk = confirm(bulk, django_capture_on_commit_callbacks)

    def broken(bulk):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(bulk_deletions, "_delete_batches", broken)
    with pytest.raises(RuntimeError):
        bulk_deletions.run(bulk.pk)
    bulk.refresh_from_db()
    assert bulk.state == "failed" and "base indisponible" in bulk.failure
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        bulk_deletions.retry(bulk=bulk, by=None)
    bulk.refresh_from_db()
    assert bulk.state == "done" and bulk.deleted_count == 7
