"""Liveness of the background workers, and the task rows a dead worker left running.

`opencertif worker` names its database worker (`worker_id`), records it in WorkerBeat and
beats every few seconds from a thread. A task row of the database backend still RUNNING
under a worker id that no longer beats belongs to a worker that died (killed, crashed,
machine lost): `forget_dead_task_rows` marks it failed, with a French explanation, so that
the queue shows the truth. The work itself is resumed by its own owner (deposits, mass
deletions), which keeps its own progress.
"""

import datetime
import logging
import os
import socket
import uuid

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from opencertif.core.models import WorkerBeat

log = logging.getLogger(__name__)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def beat(worker_id: str) -> None:
    """Record that this worker is alive now."""
    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerBeat.objects.create(
            worker_id=worker_id, host=socket.gethostname()[:255], pid=os.getpid(), beat_at=now
        )


def stop(worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def _uses_database_backend() -> bool:
    return any(
        config.get("BACKEND") == "django_tasks_db.DatabaseBackend"
        for config in settings.TASKS.values()
    )


def forget_dead_task_rows(*, dead_after_seconds: int | None = None) -> int:
    """Mark failed the task rows left RUNNING by workers that stopped beating for
    DEPOSIT_STALL_SECONDS; return how many. Only for the database task backend (RQ keeps
    its own registry of dead jobs). Workers must be started by `opencertif worker`: a bare
    `db_worker` does not beat, and its running rows would be taken for dead."""
    if not _uses_database_backend():
        return 0
    from django_tasks_db.models import DBTaskResult

    if dead_after_seconds is None:
        dead_after_seconds = settings.DEPOSIT_STALL_SECONDS
    now = timezone.now()
    limit = now - datetime.timedelta(seconds=dead_after_seconds)
    WorkerBeat.objects.filter(beat_at__lt=limit).delete()
    alive = set(WorkerBeat.objects.values_list("worker_id", flat=True))
    forgotten = 0
    for row in DBTaskResult.objects.filter(status="RUNNING").only("id", "worker_ids"):
        if row.worker_ids and row.worker_ids[-1] in alive:
            continue
        forgotten += DBTaskResult.objects.filter(pk=row.pk, status="RUNNING").update(
            status="FAILED",
            finished_at=now,
            exception_class_path="opencertif.core.workers.WorkerLost",
            traceback=(
                f"Le worker {row.worker_ids[-1] if row.worker_ids else '?'} s'est arrêté "
                "pendant cette tâche (il ne donne plus signe de vie) ; le travail est repris "
                "par un autre worker là où il s'était arrêté."
            ),
        )
    if forgotten:
        log.warning(
            "%d tâche(s) laissée(s) en cours par un worker arrêté : marquées échouées", forgotten
        )
    return forgotten


def resume_at_start() -> list[str]:
    """Enqueue again the work a stopped worker left under way, for each function named in
    `settings.RESUME_AT_WORKER_START` (each returns a line saying what it resumed, or "").

    The worker command belongs to the deposits app, which must not import the apps above
    it: they say here, by the settings, what they leave under way."""
    lines = []
    for path in settings.RESUME_AT_WORKER_START:
        line = import_string(path)()
        if line:
            lines.append(line)
    return lines
