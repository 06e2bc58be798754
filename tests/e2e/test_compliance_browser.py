import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str, login: str, password: str) -> None:
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_certifier_and_staff_read_the_deposit_compliance(
    live_server, page, check_accessibility, demo
):
    url = live_server.url
    sign_in(page, url, "gestion@univ-demo.test", "demo-certif-2026")
    page.goto(f"{url}/espace/conformite/")
    page.get_by_role("heading", name="Conformité des dépôts").wait_for()
    # Nothing deposited yet: all 13 fiches of the demo university are late.
    page.get_by_text("13 certifications en retard").wait_for()
    check_accessibility(page)
    page.get_by_text("En retard seulement").click()
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r".*retard=1"))
    page.get_by_role("link", name="RNCP90001").wait_for()
    page.get_by_role("link", name="Université de démonstration (Campus Démo)").click()
    page.wait_for_url(re.compile(r".*/espace/conformite/\d+/$"))
    check_accessibility(page)

    page.context.clear_cookies()
    sign_in(page, url, "admin@opencertif.test", "demo-admin-2026")
    page.goto(f"{url}/instruction/")
    page.get_by_role("link", name="Conformité des dépôts").click()
    page.get_by_role("heading", name="Conformité des dépôts").wait_for()
    check_accessibility(page)
    page.get_by_label("Trier par").select_option("nom")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_role("link", name="Université de démonstration (Campus Démo)").click()
    page.get_by_role("cell", name="Master Comptabilité, contrôle, audit").wait_for()
    check_accessibility(page)
