import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencertif.core.progress import ProgressBar
from opencertif.deposits.sheets.conversion import convert
from opencertif.deposits.sheets.errors import SheetRefused
from opencertif.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Convertit un tableur de passages (modèle Excel officiel, modèle opencertif ou CSV) "
        "en fichier XML de dépôt conforme au schéma : affiche les erreurs ligne par ligne, "
        "écrit le XML des lignes acceptées. Code de sortie 1 si des lignes sont écartées. "
        "La lecture se fait au fil du fichier, en mémoire bornée, avec les mêmes limites que "
        "la page « Déposer un tableur »."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="tableur .xlsx ou .csv")
        parser.add_argument(
            "--organisation",
            metavar="SIRET",
            help="organisme déposant : ses identifiants de dépôt complètent les cellules vides",
        )
        parser.add_argument(
            "--out", type=Path, help="fichier XML à écrire (défaut : le tableur en .xml)"
        )

    def handle(self, *args, file: Path, organisation: str | None, out: Path | None, **options):
        if not file.is_file():
            raise CommandError(f"{file} : fichier introuvable.")
        org = None
        if organisation:
            org = Organisation.objects.filter(siret=organisation.replace(" ", "")).first()
            if org is None:
                raise CommandError(f"Aucun organisme avec le SIRET {organisation}.")
        out = out or file.with_suffix(".xml")
        bar = ProgressBar(f"{file.name} :", stream=self.stderr._out)

        def progress(rows: int, fraction: float) -> None:
            bar.update(round(fraction * 1000), 1000)

        # The user's own process: converted in the foreground (the web page uses a task).
        with file.open("rb") as stream:
            try:
                conversion = convert(stream, organisation=org, progress=progress)
            except SheetRefused as exc:
                raise CommandError(f"{file.name} : {exc}") from exc
            finally:
                bar.finish()
        with conversion:
            for error in conversion.errors:
                self.stderr.write(f"  {error}")
            if conversion.error_total > len(conversion.errors):
                self.stderr.write(
                    f"  … et {conversion.error_total - len(conversion.errors)} autre(s) erreur(s)."
                )
            if conversion.accepted:
                with out.open("w", encoding="utf-8", newline="\n") as handle:
                    conversion.write_xml(handle)
                self.stdout.write(
                    f"{out} : {conversion.accepted} passage(s) écrit(s) "
                    f"(émetteur {conversion.emitter_id_client}, certificateur "
                    f"{conversion.certifier_id_client} / {conversion.id_contract})."
                )
            else:
                self.stdout.write("Aucune ligne acceptable : aucun fichier XML écrit.")
            if conversion.rows_left_out:
                self.stderr.write(
                    self.style.ERROR(
                        f"{conversion.rows_left_out} ligne(s) écartée(s) sur "
                        f"{conversion.rows_read} : corrigez-les dans le tableur."
                    )
                )
                sys.exit(1)
