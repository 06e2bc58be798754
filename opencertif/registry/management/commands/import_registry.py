from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencertif.core.progress import ProgressBar
from opencertif.registry.records import RegistryImportError
from opencertif.registry.services import import_registry


class Command(BaseCommand):
    help = (
        "Importe l'export officiel de France Compétences (zip CSV, dossier de CSV, fichiers XML "
        "V4.1 ou leurs zips). Réimporter le même fichier ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="fichiers, zips ou dossiers")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="extrait partiel : ne pas marquer les fiches absentes des fichiers",
        )
        parser.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def handle(self, *args, paths, partial, no_progress, **options):
        bar = None if no_progress else ProgressBar("Import", stream=self.stderr._out)
        try:
            report = import_registry(
                paths=paths, partial=partial, progress=bar.update if bar else None
            )
        except RegistryImportError as exc:
            if bar:
                bar.finish()
            raise CommandError(f"{exc}\nAucune modification n'a été enregistrée.") from exc
        if bar:
            bar.finish()
        for error in report.errors:
            self.stderr.write(f"  erreur – {error}")
        if report.error_count > len(report.errors):
            self.stderr.write(f"  … et {report.error_count - len(report.errors)} autres erreurs")
        for warning in report.warnings:
            self.stderr.write(f"  avertissement – {warning}")
        if report.warning_count > len(report.warnings):
            hidden = report.warning_count - len(report.warnings)
            self.stderr.write(f"  … et {hidden} autres avertissements")
        for tag, count in sorted(report.ignored_tags.items()):
            self.stderr.write(f"  élément XML non repris : <{tag}> ({count} fois)")
        summary = (
            f"{report.created} créée(s), {report.updated} mise(s) à jour, "
            f"{report.unchanged} inchangée(s), {report.error_count} erreur(s)"
        )
        if report.warning_count:
            summary += f", {report.warning_count} avertissement(s)"
        if report.vanished:
            summary += f", {report.vanished} absente(s) de l'export (conservées et signalées)"
        if report.reappeared:
            summary += f", {report.reappeared} réapparue(s)"
        self.stdout.write(f"Fiches : {summary}.")
        if not report.changed:
            self.stdout.write(self.style.SUCCESS("Rien n'a changé : la base était déjà à jour."))
        else:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
