import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opencertif.core.progress import ProgressBar
from opencertif.deposits import engine, reports
from opencertif.deposits.enums import Channel
from opencertif.organisations.models import Organisation
from opencertif.organisations.perms import Right


class Command(BaseCommand):
    help = (
        "Dépose un fichier XML de passages de certification et affiche le résultat ; "
        "--check-only vérifie seulement le format, sans rien enregistrer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="adresse électronique ou identifiant du déposant")
        parser.add_argument("--organisation", type=int, help="organisme (si plusieurs)")
        parser.add_argument("--check-only", action="store_true", help="contrôle du format seul")
        parser.add_argument("--enqueue", action="store_true", help="confier au worker")
        parser.add_argument("--report-out", type=Path, help="écrire l'accusé XML ici")
        parser.add_argument("--json", action="store_true", help="résultat en JSON")

    def handle(self, *args, file, user, organisation, check_only, enqueue, report_out, **options):
        if not file.is_file():
            raise CommandError(f"{file} : fichier introuvable.")
        if check_only:
            return self._check(file, as_json=options["json"])
        if not user:
            raise CommandError("Indiquez le déposant : --user ADRESSE_OU_IDENTIFIANT.")
        person = self._user(user)
        org = self._organisation(person, organisation)
        with file.open("rb") as stream:
            try:
                deposit = engine.receive(
                    organisation=org,
                    user=person,
                    channel=Channel.CLI,
                    name=file.name,
                    stream=stream,
                )
            except (engine.DepositRefused, engine.StorageUnavailable) as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Accusé de réception : dépôt n° {deposit.pk}, {deposit.file_name}, "
            f"{deposit.size} octets, SHA-256 {deposit.sha256}."
        )
        if deposit.same_file_as_id:
            first = deposit.same_file_as
            self.stdout.write(
                f"Fichier identique au dépôt n° {first.pk} du "
                f"{timezone.localtime(first.received_at):%d/%m/%Y à %H:%M} : il est traité de "
                "nouveau, selon l'état actuel des comptes et des passages."
            )
        if enqueue:
            engine.enqueue(deposit.pk)
            self.stdout.write("Traitement confié au worker.")
            return
        else:
            deposit = self._process(deposit)
        if report_out:
            report_out.write_text("".join(reports.xml_chunks(deposit)), encoding="utf-8")
            self.stdout.write(f"Accusé de traitement écrit dans {report_out}.")
        self._summary(deposit)
        if deposit.state != "done":
            sys.exit(1)

    def _process(self, deposit):
        bar = ProgressBar("Passages", stream=self.stderr._out)
        try:
            engine.process(deposit.pk, progress=bar.update)
        finally:
            bar.finish()
        deposit.refresh_from_db()
        return deposit

    def _summary(self, deposit):
        if deposit.state == "rejected":
            self.stderr.write(self.style.ERROR("Fichier rejeté :"))
            for error in deposit.errors:
                self.stderr.write(
                    f"  ligne {error['line']}, colonne {error['column']} – "
                    f"{error['type']} : {error['message']}"
                )
            return
        if deposit.state == "failed":
            self.stderr.write(self.style.ERROR(f"Échec technique : {deposit.failure}"))
            return
        self.stdout.write(
            f"Traité : {deposit.passage_total} passage(s) – {deposit.ok_count} OK, "
            f"{deposit.unchanged_count} inchangé(s), {deposit.deleted_count} supprimé(s), "
            f"{deposit.ko_count} KO."
        )

    def _check(self, file, *, as_json: bool):
        envelope, errors = engine.check_file(file)
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "valid": not errors,
                        "passages": envelope.passage_count,
                        "errors": [vars(e) for e in errors],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        elif errors:
            self.stderr.write(self.style.ERROR(f"{file.name} : fichier non conforme."))
            for error in errors:
                self.stderr.write(
                    f"  ligne {error.line}, colonne {error.column} – {error.type} : {error.message}"
                )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{file.name} : conforme au format ({envelope.passage_count} passage(s), "
                    f"action {envelope.action}, émetteur {envelope.emitter_id_client}, "
                    f"certificateur {envelope.certifier_id_client})."
                )
            )
        if errors:
            sys.exit(1)

    @staticmethod
    def _user(login: str):
        model = get_user_model()
        found = (
            model.objects.filter(email__iexact=login).first()
            if "@" in login
            else model.objects.filter(identifier=login.upper()).first()
        )
        if found is None or not found.is_active:
            raise CommandError(f"Aucun compte actif « {login} ».")
        return found

    @staticmethod
    def _organisation(person, pk):
        # The organisations the person may deposit for (`perms`: manager or member), as on
        # the web; the engine then checks the organisation's deposit identifiers.
        organisations = Organisation.objects.where(person, Right.DEPOSIT)
        if pk:
            org = organisations.filter(pk=pk).first()
            if org is None:
                raise CommandError(
                    f"{person} ne peut pas déposer pour l'organisme n° {pk} : il faut en être "
                    "membre ou gestionnaire (un lecteur consulte seulement)."
                )
            return org
        count = organisations.count()
        if count == 0:
            raise CommandError(
                f"{person} ne peut déposer pour aucun organisme : demandez à un gestionnaire "
                "de vous nommer membre."
            )
        if count > 1:
            choices = ", ".join(f"{o.pk} ({o})" for o in organisations)
            raise CommandError(f"Plusieurs organismes : précisez --organisation parmi {choices}.")
        return organisations.get()
