import argparse
import time

from django.core.management.base import BaseCommand

from opencertif.demo.accounts import seed as seed_accounts
from opencertif.demo.deposits import seed_passages
from opencertif.demo.passport import HOLDER_EMAIL, seed_holder
from opencertif.demo.registry import generate
from opencertif.registry.services import upsert_records


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (répertoire synthétique de 2 000 fiches, "
        "300 certificateurs, comptes de démonstration, une année de dépôts, un titulaire et son "
        "passeport). Idempotent : une "
        "seconde exécution ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fiches", type=int, default=2000, help="nombre de fiches synthétiques (défaut 2000)"
        )
        parser.add_argument(
            "--passages",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="déposer une année de passages de démonstration (--no-passages : non)",
        )

    def handle(self, *args, fiches, passages, **options):
        started = time.monotonic()
        report = upsert_records(generate(fiches))
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Répertoire de démonstration : {report.created} fiche(s) créée(s), "
            f"{report.updated} mise(s) à jour, {report.unchanged} inchangée(s) "
            f"({elapsed:.1f} s)."
        )
        seed_accounts()
        self.stdout.write(
            "Comptes de démonstration : admin@opencertif.test (agent de la plateforme), "
            "gestion@univ-demo.test (Université de démonstration, DEMO0001), "
            "depot@tiers-demo.test (Tiers de confiance démo, DEMO0002)."
        )
        if passages:
            started = time.monotonic()
            made = seed_passages()
            self.stdout.write(
                f"Dépôts de démonstration : {made} dépôt(s) traité(s) "
                f"({time.monotonic() - started:.1f} s)."
                if made
                else "Dépôts de démonstration : déjà chargés."
            )
            holder = seed_holder()
            if holder is not None:
                self.stdout.write(
                    f"Titulaire de démonstration : {HOLDER_EMAIL} "
                    f"({holder.person.first_name1} {holder.person.birth_name}, "
                    f"{holder.cvs.count()} CV ; connexion par le fournisseur d'identité de "
                    f"développement, sujet {holder.subject})."
                )
