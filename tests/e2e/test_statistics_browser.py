import pytest
from django.utils import timezone

from opencertif.deposits.enums import PassageStatus
from opencertif.organisations.enums import OrganisationKind
from tests import factories
from tests.deposits import builders
from tests.passages.test_statistics import account, fiche, organisation, passage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compute_and_read_the_statistics_in_light_and_dark_schemes(
    live_server, page, check_accessibility
):
    university = organisation("Université A", OrganisationKind.HIGHER_EDUCATION)
    certification = fiche("RNCP1001", university)
    certifier = account(university)
    holder = builders.person()
    for status in (PassageStatus.OK, PassageStatus.OK, PassageStatus.KO):
        passage(certifier, status, timezone.now(), person=holder, certification=certification)
    staff = factories.staff()
    url = live_server.url

    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill(staff.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{url}/instruction/")
    page.get_by_role("link", name="Statistiques").click()
    page.get_by_text("pas encore été calculées").wait_for()
    check_accessibility(page)

    # The test settings run tasks at once: the figures are there after the redirect.
    page.get_by_role("button", name="Calculer les chiffres maintenant").click()
    page.get_by_text("Actualisation en cours").wait_for()
    page.get_by_text("Chiffres au").wait_for()
    assert page.get_by_role("img", name="Passages reçus par mois").count() == 1
    check_accessibility(page)
    page.get_by_role("button", name="Données du graphique « Passages reçus par mois »").click()
    table = page.get_by_role("table", name="Passages reçus par mois")
    table.wait_for()
    assert table.get_by_role("row").last.inner_text().split("\t")[1:] == ["3", "2"]
    check_accessibility(page)

    page.emulate_media(color_scheme="dark")
    page.reload()
    page.get_by_text("Chiffres au").wait_for()
    check_accessibility(page)

    page.goto(f"{url}/")
    page.get_by_role("heading", name="La plateforme en chiffres").wait_for()
    check_accessibility(page)
