import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from opencertif.demo.people import demo_people
from opencertif.deposits import engine
from opencertif.deposits.models import SheetImport
from opencertif.deposits.sheets import columns as sheet_columns
from opencertif.deposits.sheets import imports as sheet_imports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLUMN = {column.label: position + 2 for position, column in enumerate(sheet_columns.COLUMNS)}


def fill(path, people) -> None:
    """Three passages of demo people typed into our template, and one mistyped date."""
    workbook = load_workbook(path)
    sheet = workbook["Tableau declaration"]
    for offset, person in enumerate(people):
        row = {
            "Type": "RNCP",
            "Code": "RNCP90001",
            "Id Technique": f"E2E-TABLEUR-{offset + 1}",
            "Obtention Certification": "PAR_ADMISSION",
            "Donnee Certifiee": "OUI",
            "Date Debut Validite": "20/06/2025" if offset < 3 else "31/06/2025",
            "Date Fin Validite": "NILL",
            "Presence Niveau Langue Euro": "NON",
            "Presence Niveau Numerique Euro": "NON",
            "Mention Validee": "SANS_MENTION",
            "Modalite Acces": "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
            "Nom Naissance": person["birth_name"],
            "Prenom 1": person["first_name1"],
            "Annee Naissance": person["birth_year"],
            "Mois Naissance": person["birth_month"],
            "Jour Naissance": person["birth_day"],
            "Sexe": person["sex"],
            "Code Insee Commune Naissance": person["birth_insee"],
        }
        for label, value in row.items():
            sheet.cell(4 + offset, COLUMN[label], value)
    workbook.save(path)


def test_fill_our_template_upload_it_follow_its_conversion_and_see_the_deposit_processed(
    live_server, page, check_accessibility, tmp_path, settings
):
    # The upload only queues the conversion; the test plays the worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("demo", fiches=0)
    url = live_server.url
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill("gestion@univ-demo.test")
    page.get_by_label("Mot de passe").fill("demo-certif-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{url}/espace/depots/nouveau/")
    page.get_by_role("link", name="Déposez le tableur").click()
    page.get_by_role("heading", name="Déposer un tableur", level=1).wait_for()
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Modèle Excel (XLSX)").click()
    template = tmp_path / "modele.xlsx"
    download.value.save_as(template)
    fill(template, list(demo_people(4)))
    page.locator("input[type=file]").set_input_files(str(template))
    page.get_by_role("button", name="Déposer", exact=True).click()
    page.wait_for_url(re.compile(r".*/espace/tableur/\d+/$"))
    page.get_by_role("status").filter(has_text="En attente de conversion").wait_for()
    assert page.get_by_role("link", name="Actualiser la page").count() == 1
    check_accessibility(page)

    # The worker converts while the page polls. Its polls are held meanwhile: the live
    # server shares the test's in-memory database connection.
    held = {"on": True}
    page.route(
        re.compile(r".*partie=progression.*"),
        lambda route: route.abort() if held["on"] else route.continue_(),
    )
    page.wait_for_timeout(1_500)
    sheet_imports.run(SheetImport.objects.get().pk)
    deposit = SheetImport.objects.get().deposit
    engine.process(deposit.pk)
    held["on"] = False
    # Swapped in by the polling, without reloading the page.
    page.get_by_text(f"Tableur déposé : dépôt n° {deposit.pk}").wait_for()
    page.get_by_role("heading", name="Lignes écartées").wait_for()
    assert page.get_by_text("la date « 31/06/2025 » n'existe pas").count() == 1
    check_accessibility(page)

    page.get_by_role("link", name=f"Suivre le dépôt n° {deposit.pk}").click()
    page.wait_for_url(re.compile(rf".*/espace/depots/{deposit.pk}/$"))
    page.get_by_text("3 passages : 3 OK").wait_for()
    page.get_by_text("Traité avec succès").wait_for()
    page.get_by_role("heading", name="Lignes du tableur écartées avant le dépôt").wait_for()
    assert page.get_by_text("la date « 31/06/2025 » n'existe pas").count() == 1
    assert page.get_by_role("columnheader", name="Ligne du tableur").count() == 1
    page.get_by_role("cell", name="E2E-TABLEUR-3").wait_for()
    check_accessibility(page)
