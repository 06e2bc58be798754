from django.core.management.base import BaseCommand

from opencertif.core.periodic import enqueue_due


class Command(BaseCommand):
    help = (
        "Lance une fois les tâches périodiques dont l'heure est venue (pour un cron, quand "
        "les workers tournent ailleurs) ; une tâche déjà lancée pour sa période ne l'est pas "
        "deux fois."
    )

    def handle(self, *args, **options):
        started = enqueue_due()
        if started:
            self.stdout.write("Tâches lancées : " + ", ".join(started))
        else:
            self.stdout.write("Aucune tâche périodique à lancer maintenant.")
