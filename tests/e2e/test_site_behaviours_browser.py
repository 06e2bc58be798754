"""The site's small scripts (www/site.js), which replace the inline scripts the CSP refuses."""

import pytest
from django.core.management import call_command

from opencertif.deposits.enums import DepositState
from opencertif.deposits.models import Deposit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill("gestion@univ-demo.test")
    page.get_by_label("Mot de passe").fill("demo-certif-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda address: "/connexion/" not in address)


def test_deposit_page_reloads_with_its_report_when_processing_ends(live_server, page):
    call_command("demo", fiches=0)
    deposit = Deposit.objects.filter(state=DepositState.DONE).order_by("pk").first()
    Deposit.objects.filter(pk=deposit.pk).update(state=DepositState.PROCESSING)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/espace/depots/{deposit.pk}/")
    page.get_by_text("Traitement en cours").first.wait_for()
    assert page.get_by_role("heading", name="Accusé de traitement").count() == 0

    Deposit.objects.filter(pk=deposit.pk).update(state=DepositState.DONE)
    page.get_by_role("heading", name="Accusé de traitement").wait_for()


def test_a_file_dropped_on_the_zone_fills_the_file_input(live_server, page):
    call_command("demo", fiches=0)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/espace/depots/nouveau/")
    zone = page.locator(".oc-dropzone")
    transfer = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["<xml/>"], "passages.xml", {type: "text/xml"}));
            return transfer;
        }"""
    )
    zone.dispatch_event("dragover", {"dataTransfer": transfer})
    assert "oc-dropzone--over" in zone.get_attribute("class")
    zone.dispatch_event("drop", {"dataTransfer": transfer})
    assert "oc-dropzone--over" not in zone.get_attribute("class")
    assert (
        page.locator(".oc-dropzone input[type=file]").evaluate("input => input.files[0].name")
        == "passages.xml"
    )
