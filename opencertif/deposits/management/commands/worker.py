from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from opencertif.core.periodic import Scheduler
from opencertif.deposits import bulk_deletions, engine


class Command(BaseCommand):
    help = (
        "Lance le worker des tâches de fond. Au démarrage, les dépôts laissés en cours par un "
        "worker arrêté sont repris là où ils s'étaient arrêtés ; les tâches périodiques "
        "(rappels, statistiques, purge) sont lancées à leur heure."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stalled-after",
            type=int,
            default=120,
            help="secondes sans progrès avant de reprendre un dépôt (120)",
        )
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="ne pas lancer les tâches périodiques (un autre worker s'en charge)",
        )

    def handle(self, *args, stalled_after, interval, no_periodic, **options):
        resumed = 0
        for deposit in engine.stalled(older_than_seconds=stalled_after):
            engine.enqueue(deposit.pk)
            resumed += 1
        if resumed:
            self.stdout.write(f"{resumed} dépôt(s) interrompu(s) repris.")
        unfinished = [bulk.pk for bulk in bulk_deletions.unfinished()]
        for pk in unfinished:
            bulk_deletions.enqueue(pk)
        if unfinished:
            self.stdout.write(f"{len(unfinished)} suppression(s) en masse reprise(s).")
        scheduler = None
        if not no_periodic:
            scheduler = Scheduler(settings.PERIODIC_CHECK_SECONDS)
            scheduler.start()
        try:
            # No code reloader here: it would run this command (and the resumption) twice.
            call_command("db_worker", interval=interval, reload=False)
        finally:
            if scheduler:
                scheduler.stop()
