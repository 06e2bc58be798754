import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opencertif.passages.compliance import next_deadline, send_reminders


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date {value!r} : date attendue au format AAAA-MM-JJ.") from exc


class Command(BaseCommand):
    help = (
        "Envoie le rappel de l'échéance annuelle de dépôt dû aujourd'hui (DEPOSIT_REMINDER_DAYS "
        "jours avant DEPOSIT_DEADLINE) aux gestionnaires des certificateurs en retard, comme la "
        "tâche quotidienne ; jamais deux fois la même étape pour un organisme. --dry-run "
        "affiche qui serait relancé, sans rien envoyer ni enregistrer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="faire comme si nous étions ce jour (AAAA-MM-JJ)")
        parser.add_argument(
            "--dry-run", action="store_true", help="afficher seulement, sans rien envoyer"
        )

    def handle(self, *args, date, dry_run, **options):
        today = _day(date) if date else timezone.localdate()
        run = send_reminders(today=today, dry_run=dry_run)
        if not run.enabled:
            if not dry_run:
                self.stdout.write("Rappels désactivés (DEPOSIT_REMINDERS) : rien n'est envoyé.")
                return
            self.stdout.write(
                "Rappels désactivés (DEPOSIT_REMINDERS) : simulation seulement, comme si "
                "ils étaient actifs."
            )
        if run.deadline is None:
            self.stdout.write(
                f"{today:%d/%m/%Y} : aucune étape de rappel n'est due (prochaine échéance : "
                f"{next_deadline(today):%d/%m/%Y})."
            )
            return
        self.stdout.write(
            f"{today:%d/%m/%Y} : rappel J-{run.days_before} de l'échéance du "
            f"{run.deadline:%d/%m/%Y}."
        )
        for reminder in run.reminders:
            numbers = ", ".join(item.number for item in reminder.late_certifications)
            if not reminder.recipients:
                verdict = "aucun gestionnaire actif, rien à envoyer"
            elif dry_run:
                verdict = "serait relancé"
            elif reminder.sent:
                verdict = "relancé"
            else:
                verdict = "déjà relancé par un autre processus"
            self.stdout.write(
                f"- {reminder.organisation_name} ({len(reminder.late_certifications)} "
                f"certification(s) en retard : {numbers}) : {verdict}"
                + (f" → {', '.join(reminder.recipients)}" if reminder.recipients else "")
            )
        if run.already_sent:
            self.stdout.write(f"{run.already_sent} organisme(s) déjà relancé(s) pour cette étape.")
        total = len(run.reminders)
        if dry_run:
            self.stdout.write(f"Simulation : {total} organisme(s) seraient relancés, rien envoyé.")
        else:
            self.stdout.write(f"{len(run.sent)} rappel(s) envoyé(s).")
