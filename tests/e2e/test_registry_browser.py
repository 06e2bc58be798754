import pytest

from tests.registry.factories import create, fiche

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def registry():
    create(
        fiche(
            "RNCP10",
            title="Responsable de la comptabilité",
            level="6",
            blocks=("Tenue de la comptabilité générale", "Fiscalité"),
            rome=(("M1203", "Comptabilité"),),
            nsf=(("314", "Comptabilité, gestion"),),
        ),
        fiche("RNCP11", title="Comptable assistant", level="4"),
        fiche("RNCP12", title="Gestionnaire comptable et fiscal", level="5"),
        fiche("RS13", title="Tableur pour la comptabilité"),
    )


def test_search_filter_open_fiche_and_certifier(live_server, page, registry, check_accessibility):
    page.goto(f"{live_server.url}/")
    check_accessibility(page)

    page.get_by_label("Rechercher une certification").fill("comptabilité")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/repertoire/?q=*")
    page.get_by_role("heading", name="4 certifications").wait_for()
    check_accessibility(page)

    # htmx: changing a filter updates results and URL without a full reload
    page.get_by_label("Niveau européen").select_option("6")
    page.get_by_role("heading", name="1 certification").wait_for()
    assert "niveau=6" in page.url

    page.get_by_role("link", name="Responsable de la comptabilité").click()
    page.get_by_role("heading", name="Responsable de la comptabilité", level=1).wait_for()
    check_accessibility(page)
    page.get_by_role("button", name="RNCP10BC01 – Tenue de la comptabilité générale").click()

    page.get_by_role("link", name="MINISTERE DU TRAVAIL").click()
    page.get_by_role("heading", name="MINISTERE DU TRAVAIL").wait_for()
    assert page.get_by_role("cell", name="RNCP12").count() == 1
    check_accessibility(page)


def test_search_works_without_javascript(live_server, browser, registry):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/repertoire/?q=comptable")
    page.get_by_label("Niveau européen").select_option("5")
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.get_by_role("heading", name="1 certification").wait_for()
    context.close()


def test_login_and_error_pages_are_accessible(live_server, page, check_accessibility, db):
    page.goto(f"{live_server.url}/connexion/")
    check_accessibility(page)
    page.goto(f"{live_server.url}/repertoire/RNCP0000/")
    page.get_by_role("heading", name="Page non trouvée").wait_for()
    check_accessibility(page)
