from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencertif.core.progress import ProgressBar
from opencertif.deposits.lifecycle import reexamine_identity_refusals
from opencertif.people.imports import PersonImportError, import_persons


class Command(BaseCommand):
    help = (
        "Charge la population de référence (CSV UTF-8, en-tête nir,nom_naissance,nom_usage,"
        "prenom1,prenom2,prenom3,sexe,annee_naissance,mois_naissance,jour_naissance,"
        "code_insee_naissance,code_postal_naissance,code_pays_naissance), puis réexamine les "
        "passages refusés faute de titulaire."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, path, no_progress, **options):
        if not path.is_file():
            raise CommandError(f"{path} : fichier introuvable.")
        bar = None if no_progress else ProgressBar("Personnes", stream=self.stderr._out)
        try:
            report = import_persons(path=path, progress=bar.update if bar else None)
        except PersonImportError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar:
                bar.finish()
        for error in report.errors:
            self.stderr.write(f"  ligne ignorée – {error}")
        self.stdout.write(
            f"Personnes : {report.created} créée(s), {report.updated} mise(s) à jour, "
            f"{report.unchanged} inchangée(s), {report.error_count} erreur(s)."
        )
        if report.created or report.updated:
            found = reexamine_identity_refusals()
            self.stdout.write(
                "Passages refusés faute de titulaire réexaminés : "
                f"{found} titulaire(s) retrouvé(s)."
            )
