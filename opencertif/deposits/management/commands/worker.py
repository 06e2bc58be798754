import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from opencertif.core import workers
from opencertif.core.periodic import Scheduler
from opencertif.deposits import engine
from opencertif.deposits.sheets import imports as sheet_imports

log = logging.getLogger(__name__)


class Watchdog(threading.Thread):
    """While the worker runs: says it is alive, takes over the deposits and spreadsheet
    conversions whose run stopped beating (on this machine or another), and marks failed
    the task rows of dead workers."""

    def __init__(self, worker_id: str, interval: float):
        super().__init__(name="opencertif-watchdog", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopped = threading.Event()

    def check(self) -> None:
        workers.beat(self.worker_id)
        for pk in engine.take_over_abandoned():
            log.warning("dépôt n° %s sans signe de vie : repris", pk)
        for pk in sheet_imports.resume():
            log.warning("tableur n° %s sans signe de vie : repris", pk)
        workers.forget_dead_task_rows()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.check()
            except Exception:  # noqa: BLE001 (a failed check must not stop the watchdog)
                log.exception("surveillance des tâches impossible")
            finally:
                connection.close()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


class Command(BaseCommand):
    help = (
        "Lance le worker des tâches de fond. Les dépôts laissés en cours par un worker arrêté "
        "sont repris là où ils s'étaient arrêtés, au démarrage comme en marche (dès que leur "
        "signal de vie a plus de DEPOSIT_STALL_SECONDS) ; les tâches périodiques (rappels, "
        "statistiques, purges) sont lancées à leur heure."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stalled-after",
            type=int,
            default=120,
            help="secondes d'attente avant de relancer un dépôt reçu jamais commencé (120)",
        )
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="ne pas lancer les tâches périodiques (un autre worker s'en charge)",
        )

    def handle(self, *args, stalled_after, interval, no_periodic, **options):
        worker_id = workers.new_worker_id()
        workers.beat(worker_id)
        forgotten = workers.forget_dead_task_rows()
        if forgotten:
            self.stdout.write(f"{forgotten} tâche(s) d'un worker arrêté marquée(s) échouée(s).")
        resumed = engine.take_over_abandoned()
        for deposit in engine.stalled(older_than_seconds=stalled_after).filter(state="received"):
            engine.enqueue(deposit.pk)
            resumed.append(deposit.pk)
        if resumed:
            self.stdout.write(f"{len(resumed)} dépôt(s) interrompu(s) repris.")
        sheets = sheet_imports.resume()
        if sheets:
            self.stdout.write(f"{len(sheets)} tableur(s) interrompu(s) repris.")
        # The work of the apps above this one (mass deletions…), named by the settings.
        for line in workers.resume_at_start():
            self.stdout.write(line)
        connection.close()
        watchdog = Watchdog(worker_id, max(1.0, settings.DEPOSIT_STALL_SECONDS / 4))
        watchdog.start()
        scheduler = None
        if not no_periodic:
            scheduler = Scheduler(settings.PERIODIC_CHECK_SECONDS)
            scheduler.start()
        try:
            # No code reloader here: it would run this command (and the resumption) twice.
            call_command("db_worker", interval=interval, reload=False, worker_id=worker_id)
        finally:
            watchdog.stop()
            if scheduler:
                scheduler.stop()
            workers.stop(worker_id)
