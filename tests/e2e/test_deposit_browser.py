import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deposit_the_sample_file_and_read_the_report(
    live_server, page, check_accessibility, tmp_path
):
    call_command("demo", fiches=0)
    url = live_server.url
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill("gestion@univ-demo.test")
    page.get_by_label("Mot de passe").fill("demo-certif-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{url}/espace/")
    page.get_by_role("link", name="Dépôts des passages de certification").click()
    check_accessibility(page)
    page.get_by_role("link", name="Déposer un fichier").click()
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger l'exemple").click()
    sample = tmp_path / "exemple-depot-20-passages.xml"
    download.value.save_as(sample)
    page.locator("input[type=file]").set_input_files(str(sample))
    page.get_by_role("button", name="Déposer").click()
    page.wait_for_url(re.compile(r".*/espace/depots/\d+/$"))
    page.get_by_text("20 passages : 17 OK").wait_for()
    page.get_by_text("Traité avec erreurs").wait_for()
    check_accessibility(page)
    page.get_by_label("Passages").select_option("ko")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_role("cell", name="EXEMPLE-DEMO0001-018").wait_for()
    assert page.get_by_text("vérifiez l'orthographe du nom de naissance").count() == 1
    check_accessibility(page)
    with page.expect_download() as report:
        page.get_by_role("link", name="Accusé XML").click()
    assert report.value.suggested_filename.startswith("Accuse_de_traitement_exemple-depot")
