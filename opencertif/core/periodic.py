"""Periodic jobs: background tasks enqueued once per period, whatever the number of workers.

`settings.PERIODIC_JOBS` maps a job name to (dotted path of a django-tasks task, period in
seconds). `enqueue_due()` enqueues every job whose current period has not started yet; the
unique (name, period) row of PeriodicRun makes a second worker, or a second call, a no-op.
The worker (`opencertif worker`) calls it every PERIODIC_CHECK_SECONDS; `opencertif
periodic` does it once (for a cron job when the workers are elsewhere).
"""

import logging
import threading

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from opencertif.core.models import PeriodicRun

log = logging.getLogger(__name__)


def period_key(seconds: int, now=None) -> str:
    """The period `now` falls in, e.g. '2026-11-24' for a daily job."""
    now = now or timezone.now()
    if seconds == 86400:
        return timezone.localdate(now).isoformat()
    return f"{seconds}s-{int(now.timestamp()) // seconds}"


def enqueue_due(now=None) -> list[str]:
    """Enqueue the jobs whose period started since their last run; return their names."""
    started = []
    for name, (path, seconds) in settings.PERIODIC_JOBS.items():
        key = period_key(seconds, now)
        try:
            task = import_string(path)
        except ImportError:
            log.error("tâche périodique %s introuvable : %s", name, path)
            continue
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=name, period=key)
                transaction.on_commit(task.enqueue)
        except IntegrityError:
            continue  # already started for this period, here or by another worker
        started.append(name)
    return started


class Scheduler(threading.Thread):
    """Checks the periodic jobs every `interval` seconds until stopped."""

    def __init__(self, interval: float):
        super().__init__(name="opencertif-periodic", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        from django.db import connection

        while not self.stopped.is_set():
            try:
                for name in enqueue_due():
                    log.info("tâche périodique lancée : %s", name)
            except Exception:  # noqa: BLE001 (a failed check must not stop the scheduler)
                log.exception("vérification des tâches périodiques impossible")
            finally:
                connection.close()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
