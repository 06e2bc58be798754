"""A holder's request in the browser: the holder reports an error, the certifier answers,
the holder reads the answer; staff read the holder's passport. Every page is checked
with axe-core."""

import pytest

from opencertif.passports import requests as service
from tests import factories
from tests.passports import requests_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str, person) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill(person.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Mon compte").wait_for()


def test_a_holder_reports_an_error_and_reads_the_certifiers_refusal(
    live_server, page, check_accessibility
):
    world = requests_world.build()
    url = live_server.url

    sign_in(page, url, world.holder.user)
    page.goto(f"{url}/passeport/acquis/{world.passage.pk}/signaler/")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.get_by_text("Cochez au moins un élément à corriger.").wait_for()
    check_accessibility(page)
    page.locator("label", has_text="Nom ou prénom").click()
    assert page.get_by_label("Nom ou prénom").is_checked()
    page.get_by_label("Votre message au certificateur").fill("Mon prénom est Camille.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.get_by_role("heading", name="Mes demandes").wait_for()
    page.get_by_text("En attente de réponse").wait_for()
    check_accessibility(page)

    sign_in(page, url, world.member)
    page.goto(f"{url}/espace/")
    page.get_by_role("link", name="Demandes des titulaires").click()
    page.get_by_role("heading", name="Demandes des titulaires").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Demande n°").first.click()
    page.get_by_role("link", name="Modifier le passage").wait_for()
    check_accessibility(page)
    page.get_by_role("button", name="Refuser la demande").click()
    page.get_by_text("Donnez le motif du refus").first.wait_for()
    check_accessibility(page)
    page.get_by_label("Motif du refus (envoyé au titulaire)").fill("Le prénom est celui transmis.")
    page.get_by_role("button", name="Refuser la demande").click()
    page.get_by_text("le titulaire est prévenu du motif").wait_for()

    sign_in(page, url, world.holder.user)
    page.goto(f"{url}/passeport/demandes/")
    page.get_by_text("Le prénom est celui transmis.").wait_for()


def test_staff_open_a_platform_request_and_the_holders_passport(
    live_server, page, check_accessibility
):
    world = requests_world.build()
    made = service.report_missing(
        holder=world.holder, certification=world.certification, message="Obtenue en 2019."
    )
    staff = factories.staff()
    url = live_server.url

    sign_in(page, url, staff)
    page.goto(f"{url}/instruction/demandes/")
    check_accessibility(page)
    page.get_by_role("link", name=f"Demande n° {made.pk}").click()
    page.get_by_role("button", name="Marquer comme traitée").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Consulter le passeport du titulaire").click()
    page.get_by_role("heading", name="Certifications garanties").wait_for()
    check_accessibility(page)
