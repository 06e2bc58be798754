"""Runs of the deposit engine: claims, heartbeats, take-over, crashes, storage failures."""

import datetime
import errno
import gzip
import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from opencertif.core import workers
from opencertif.core.models import WorkerBeat
from opencertif.deposits import engine
from opencertif.deposits.format import reader
from opencertif.deposits.models import Deposit, Passage, PassageResult
from tests.core import crashers
from tests.deposits import builders as b

pytestmark = pytest.mark.django_db


def received(demo, data: bytes, name="depot.xml") -> Deposit:
    return engine.receive(
        organisation=demo["university"],
        user=None,
        channel="cli",
        name=name,
        stream=io.BytesIO(data),
    )


def long_ago() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=10)


def test_a_parser_crash_rejects_the_file_and_leaves_the_caller_alive(demo, monkeypatch):
    monkeypatch.setattr(reader, "check_path", crashers.segfault)
    deposit = received(demo, b.deposit_file([b.passage("P1")]))
    engine.process(deposit.pk)
    deposit.refresh_from_db()
    assert deposit.state == "rejected"
    message = deposit.errors[0]["message"]
    assert message.startswith("Le fichier n'a pas pu être lu") and "signal 11" in message
    assert not Passage.objects.exists()


def test_the_run_beats_while_the_file_is_checked(demo, monkeypatch, settings):
    settings.DEPOSIT_HEARTBEAT_SECONDS = 0.2
    monkeypatch.setattr(reader, "check_path", crashers.slow_refusal)
    beats = []
    original = engine._beat

    def counting(deposit_id, token):
        beats.append(timezone.now())
        original(deposit_id, token)

    monkeypatch.setattr(engine, "_beat", counting)
    deposit = received(demo, b.deposit_file([b.passage("P1")]))
    engine.process(deposit.pk)
    deposit.refresh_from_db()
    assert deposit.state == "rejected" and len(beats) >= 4
    assert deposit.heartbeat_at >= beats[-2]


def test_a_deposit_interrupted_twice_without_progress_is_failed_for_good(demo, monkeypatch):
    deposit = received(demo, b.deposit_file([b.passage("P1")]))

    def killed(*args, **kwargs):
        raise SystemExit("worker arrêté")

    monkeypatch.setattr(engine, "check_file", killed)
    for _ in range(2):
        with pytest.raises(SystemExit):
            engine.process(deposit.pk)
        deposit.refresh_from_db()
        assert deposit.state == "validating"
    monkeypatch.undo()
    engine.process(deposit.pk)  # the third run does not even start
    deposit.refresh_from_db()
    assert deposit.state == "failed" and deposit.fruitless_runs == 2
    assert "s'est interrompu 2 fois sans progresser" in deposit.failure
    assert engine.take_over_abandoned(older_than_seconds=0) == []  # never resumed again


def test_a_run_killed_without_a_word_is_taken_over_once_its_heartbeat_is_old(
    demo, monkeypatch, django_capture_on_commit_callbacks
):
    b.person()
    monkeypatch.setattr(engine, "BATCH", 2)
    deposit = received(demo, b.deposit_file([b.passage(f"P{i}") for i in range(5)]))
    original = engine._handle_batch

    def dying(run, batch, start):
        original(run, batch, start)
        if start == 0:
            # kill -9: nothing runs after this, not even the claim's release.
            raise KeyboardInterrupt

    monkeypatch.setattr(engine, "_handle_batch", dying)
    monkeypatch.setattr(engine, "_release", lambda *args: None)
    with pytest.raises(KeyboardInterrupt):
        engine.process(deposit.pk)
    monkeypatch.setattr(engine, "_handle_batch", original)
    assert engine.take_over_abandoned() == []  # its heartbeat is fresh: it may be alive
    engine.process(deposit.pk)  # a duplicate task steps aside
    deposit.refresh_from_db()
    assert (deposit.state, deposit.processed) == ("processing", 2)
    Deposit.objects.filter(pk=deposit.pk).update(heartbeat_at=long_ago())
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.take_over_abandoned() == [deposit.pk]
    deposit.refresh_from_db()
    assert (deposit.state, deposit.processed, deposit.ok_count) == ("done", 5, 5)
    assert deposit.fruitless_runs == 0 and Passage.objects.count() == 5


def test_a_run_whose_claim_was_taken_stops_without_failing_the_deposit(demo, monkeypatch):
    b.person()
    monkeypatch.setattr(engine, "BATCH", 2)
    deposit = received(demo, b.deposit_file([b.passage(f"P{i}") for i in range(5)]))
    original = engine._handle_batch

    def overtaken(run, batch, start):
        if start == 2:
            Deposit.objects.filter(pk=run.deposit.pk).update(run_token="une-autre-execution")
        original(run, batch, start)

    monkeypatch.setattr(engine, "_handle_batch", overtaken)
    engine.process(deposit.pk)
    deposit.refresh_from_db()
    assert (deposit.state, deposit.processed) == ("processing", 2)
    assert PassageResult.objects.filter(deposit=deposit).count() == 2


@pytest.fixture
def four_in_batches_of_two(demo, monkeypatch) -> Deposit:
    """A received deposit of four passages, processed two by two."""
    b.person()
    monkeypatch.setattr(engine, "BATCH", 2)
    return received(demo, b.deposit_file([b.passage(f"P{i}") for i in range(4)]))


def test_two_overlapping_runs_write_each_batch_once(four_in_batches_of_two, monkeypatch):
    deposit = four_in_batches_of_two
    original = engine._handle_batch
    runs = []

    def with_a_second_run(run, batch, start):
        if not runs:
            runs.append(engine.process(deposit.pk))  # started while the first one holds it
        original(run, batch, start)

    monkeypatch.setattr(engine, "_handle_batch", with_a_second_run)
    engine.process(deposit.pk)
    deposit.refresh_from_db()
    assert runs[0].state == "processing"  # the second run stepped aside, failing nothing
    assert (deposit.state, deposit.processed, deposit.ok_count) == ("done", 4, 4)
    assert PassageResult.objects.filter(deposit=deposit).count() == 4


def test_task_rows_left_running_by_a_dead_worker_are_marked_failed(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def row(worker_id):
        return DBTaskResult.objects.create(
            status="RUNNING",
            args_kwargs={"args": [1], "kwargs": {}},
            task_path="opencertif.deposits.tasks.process_deposit",
            backend_name="default",
            run_after=long_ago(),
            started_at=long_ago(),
            worker_ids=[worker_id],
        )

    workers.beat("vivant-1")
    alive, dead = row("vivant-1"), row("mort-1")
    assert workers.forget_dead_task_rows() == 1
    alive.refresh_from_db()
    dead.refresh_from_db()
    assert alive.status == "RUNNING" and dead.status == "FAILED"
    assert "s'est arrêté pendant cette tâche" in dead.traceback
    WorkerBeat.objects.update(beat_at=long_ago())
    assert workers.forget_dead_task_rows() == 1  # a worker that stopped beating is dead too


@pytest.mark.parametrize(
    "failure",
    [OSError(errno.ENOSPC, "No space left on device"), PermissionError(13, "Permission denied")],
)
def test_a_full_disk_or_unwritable_folder_stores_nothing_and_says_so(demo, monkeypatch, failure):
    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(gzip, "open", broken)
    with pytest.raises(engine.StorageUnavailable, match="momentanément indisponible"):
        received(demo, b.deposit_file([b.passage("P1")]))
    assert not Deposit.objects.exists()
    folder = Path(default_storage.path("deposits"))
    assert not folder.exists() or not list(folder.glob("incoming-*"))


def test_a_damaged_gzip_upload_is_refused_not_reported_as_a_storage_failure(demo):
    damaged = gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(b"<a/>" * 1000)[:40]))
    with pytest.raises(engine.DepositRefused, match="compressé est illisible"):
        engine.receive(
            organisation=demo["university"],
            user=None,
            channel="web",
            name="depot.xml",
            stream=damaged,
        )
    assert not Deposit.objects.exists()


def test_stored_files_are_erased_after_the_retention_period(demo, settings, time_machine):
    b.person()
    settings.DEPOSIT_FILE_RETENTION_DAYS = 30
    deposit = received(demo, b.deposit_file([b.passage("P1")]))
    engine.process(deposit.pk)
    deposit.refresh_from_db()
    stored = Path(default_storage.path(deposit.stored_path))
    assert stored.is_file()
    assert engine.purge_stored_files() == 0
    time_machine.move_to(timezone.now() + datetime.timedelta(days=31))
    assert engine.purge_stored_files() == 1
    deposit.refresh_from_db()
    assert not stored.exists() and deposit.file_purged_at is not None
    assert engine.purge_stored_files() == 0
    assert PassageResult.objects.filter(deposit=deposit).count() == 1  # the report stays


def test_a_run_overtaken_between_assessing_and_writing_a_batch_writes_nothing_of_it(
    four_in_batches_of_two, monkeypatch
):
    # The first run looks dead while it holds a batch it has read: a second run takes the
    # deposit over and finishes it; the first one's guarded counter update then fails
    # before any row is written, so each batch is written once.
    deposit = four_in_batches_of_two
    original = engine._handle_batch
    second = []

    def overtaken(run, batch, start):
        if start == 2 and not second:
            second.append(run.token)
            Deposit.objects.filter(pk=run.deposit.pk).update(heartbeat_at=long_ago())
            assert engine.process(run.deposit.pk).state == "done"
        original(run, batch, start)

    monkeypatch.setattr(engine, "_handle_batch", overtaken)
    first = engine.process(deposit.pk)
    assert first.state == "done" and first.run_token != second[0]
    assert (first.processed, first.ok_count, first.ko_count) == (4, 4, 0)
    seqs = list(PassageResult.objects.filter(deposit=deposit).values_list("seq", flat=True))
    assert sorted(seqs) == [0, 1, 2, 3] and Passage.objects.count() == 4
