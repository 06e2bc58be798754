import datetime

import pytest
from django.utils import timezone

from opencertif.accounts.perms import ACCOUNT_VALIDATION, AUDIT_LOG_READING
from opencertif.core import audit
from opencertif.core.models import AuditEntry
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str, person) -> None:
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique ou identifiant").fill(person.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Mon compte").wait_for()


def test_staff_read_and_filter_an_organisations_audit_log(live_server, page, check_accessibility):
    org = factories.organisation("Université Alpha", siret="73282932000074")
    boss = factories.manager(org)
    a_month_ago = timezone.now() - datetime.timedelta(days=30)
    for number in range(3):
        old = audit.record(
            actor=boss, action="api_token.created", obj=org, summary=f"ancien {number}"
        )
        AuditEntry.objects.filter(pk=old.pk).update(at=a_month_ago)
    audit.record(actor=boss, action="invitation.sent", obj=org, changes={"role": "member"})
    reader = factories.staff(ACCOUNT_VALIDATION, AUDIT_LOG_READING)
    url = live_server.url

    sign_in(page, url, reader)
    page.goto(f"{url}/instruction/organismes/{org.pk}/")
    page.get_by_role("link", name="Journal d'audit de l'organisme").click()
    page.get_by_role("heading", name="Journal d'audit – Université Alpha").wait_for()
    table = page.get_by_role("table")
    assert table.get_by_role("row").count() == 1 + 4
    check_accessibility(page)

    page.get_by_label("Action").select_option("api_token.created")
    page.get_by_label("Du").fill(timezone.localdate(a_month_ago).isoformat())
    page.get_by_label("Au (inclus)").fill(timezone.localdate(a_month_ago).isoformat())
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_text("Entrées du journal d'audit (3)").wait_for()
    assert "ancien 0" in page.get_by_role("table").inner_text()
    check_accessibility(page)

    # the readings are in the log too
    page.get_by_label("Action").select_option("")
    page.get_by_label("Du").fill("")
    page.get_by_label("Au (inclus)").fill("")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("cell", name="Journal d'audit consulté").first.wait_for()
    assert AuditEntry.objects.filter(action="audit.read", actor=reader).count() == 3


def test_the_account_page(live_server, page, check_accessibility):
    person = factories.user("ada@exemple.fr")
    sign_in(page, live_server.url, person)
    page.get_by_role("link", name="Mon compte").click()
    page.get_by_role("heading", name="Mon compte", exact=True).wait_for()
    check_accessibility(page)
    page.get_by_label("Mot de passe actuel").first.fill("pas-le-bon")
    page.get_by_role("button", name="Changer de mot de passe").click()
    page.get_by_text("Mot de passe actuel incorrect").first.wait_for()
    check_accessibility(page)
