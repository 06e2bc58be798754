import dataclasses
import datetime

import pytest

from tests.e2e.conftest import assert_no_overlap
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
    assert_no_overlap(page)

    # htmx: changing a filter updates results and URL without a full reload
    page.get_by_label("Niveau européen").select_option("6")
    page.get_by_role("heading", name="1 certification").wait_for()
    assert "niveau=6" in page.url

    page.get_by_role("link", name="Responsable de la comptabilité").click()
    page.get_by_role("heading", name="Responsable de la comptabilité", level=1).wait_for()
    check_accessibility(page)
    assert_no_overlap(page)
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


@pytest.fixture
def long_side_column():
    """A fiche whose right column (versions, codes, Journal officiel) is longer than its text."""
    record = dataclasses.replace(
        fiche(
            "RNCP20",
            title="Technicien supérieur de maintenance",
            level="5",
            nsf=[(f"2{i:02d}", f"Domaine technique {i}") for i in range(10, 22)],
            rome=[(f"I{1300 + i}", f"Maintenance spécialisée {i}") for i in range(12)],
        ),
        formacodes=[(f"{31000 + i}", f"Formacode de maintenance {i}") for i in range(12)],
        links=[("old", f"RNCP{900 + i}") for i in range(8)],
        jo_publications=[
            (datetime.date(2010 + i, 3, 1), f"Arrêté du 1er mars {2010 + i}") for i in range(12)
        ],
        last_jo_date=datetime.date(2021, 3, 1),
        effect_date=datetime.date(2022, 1, 1),
        registration_duration=5,
        partial_validation=True,
    )
    create(record)


@pytest.mark.parametrize("width", [375, 1280])
def test_fiche_side_column_stays_above_the_footer(
    live_server, page, long_side_column, check_accessibility, width
):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/repertoire/RNCP20/")
    page.get_by_role("heading", name="Journal officiel").wait_for()
    assert_no_overlap(page)
    check_accessibility(page)


def test_api_docs_work_offline(live_server, page):
    """Swagger UI comes from the platform's static files, under the site's CSP."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs")
    page.get_by_text("Rechercher des certifications").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".live-responses-table tbody .response-col_status").first.wait_for()
    assert (
        page.locator(".live-responses-table tbody .response-col_status").first.inner_text() == "200"
    )
    assert [url for url in requested if not url.startswith(live_server.url)] == []
