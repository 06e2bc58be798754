"""Staff read the audit log of an organisation or of a passage; reading it is audited."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from opencertif.accounts.perms import (
    ACCOUNT_VALIDATION,
    AUDIT_LOG_READING,
    DEPOSIT_IDENTIFIERS,
)
from opencertif.core import audit
from opencertif.core.models import AuditEntry
from opencertif.deposits.models import Passage
from opencertif.organisations import services
from tests import factories
from tests.deposits import builders as b
from tests.factories import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return factories.organisation("Université Alpha", siret="73282932000074")


@pytest.fixture
def reader():
    return factories.staff(AUDIT_LOG_READING, ACCOUNT_VALIDATION)


def log_url(org) -> str:
    return f"/instruction/organismes/{org.pk}/journal/"


def entry(org, action: str, at: datetime.datetime, **fields) -> AuditEntry:
    created = audit.record(actor=None, action=action, obj=org, **fields)
    AuditEntry.objects.filter(pk=created.pk).update(at=at)
    return created


def test_the_reading_role_is_a_group_created_by_migration():
    assert Group.objects.filter(name="Lecture du journal d'audit").exists()


def test_the_log_lists_the_organisations_entries_newest_first(client, org, reader):
    boss = factories.manager(org)
    services.invite(organisation=org, email="new@alpha.fr", role="member", by=boss)
    services.create_api_token(organisation=org, name="ERP", by=boss)
    other = factories.organisation("Autre")
    audit.record(actor=None, action="other.thing", obj=other)
    client.force_login(reader)
    html = page(client.get(log_url(org)))
    table = html[html.index("<tbody") :]
    # French labels, not codes, newest first
    assert table.index("Jeton d'API créé") < table.index("Invitation envoyée")
    assert "api_token.created" not in table
    assert "other.thing" not in html
    assert "role : member" in html  # the before/after summary of the entry
    assert "new@alpha.fr" not in html  # the trail holds ids, the page shows it as stored


def test_the_log_covers_the_organisations_requests(client, org, reader):
    applicant = factories.user(is_active=False)
    join = org.join_requests.create(user=applicant)
    audit.record(actor=None, action="join_request.created", obj=join)
    client.force_login(reader)
    assert "join_request.created" in page(client.get(log_url(org)))


def test_the_log_is_filtered_by_action_and_by_dates(client, org, reader):
    day = timezone.make_aware(datetime.datetime(2026, 3, 10, 12, 0))
    entry(org, "membership.created", day - datetime.timedelta(days=20))
    entry(org, "membership.created", day, summary="le bon")
    entry(org, "membership.removed", day)
    entry(org, "membership.created", day + datetime.timedelta(days=20))
    client.force_login(reader)
    response = client.get(
        log_url(org), {"action": "membership.created", "since": "2026-03-10", "until": "2026-03-10"}
    )
    html = page(response)
    assert "le bon" in html
    table = html[html.index("<tbody") :]
    assert table.count("<td>Membre ajouté</td>") == 1
    assert "<td>Membre retiré</td>" not in table
    # the action list offers what the log holds
    assert '<option value="membership.removed">' in html


def test_a_reversed_period_is_explained(client, org, reader):
    client.force_login(reader)
    html = page(client.get(log_url(org), {"since": "2026-03-10", "until": "2026-03-01"}))
    assert "La fin de la période précède son début" in html


def test_the_log_is_paginated(client, org, reader):
    now = timezone.now()
    for number in range(35):
        entry(
            org, "api_token.created", now - datetime.timedelta(minutes=number), summary=f"n{number}"
        )
    client.force_login(reader)
    first = page(client.get(log_url(org), {"action": "api_token.created"}))
    assert "n0<" in first and "n29<" in first and "n30<" not in first
    assert "Page suivante" in first and "action=api_token.created" in first
    second = page(client.get(log_url(org), {"action": "api_token.created", "page": 2}))
    assert "n30<" in second and "n34<" in second and "n0<" not in second


def test_reading_the_log_is_itself_audited(client, org, reader):
    audit.record(actor=None, action="membership.created", obj=org)
    client.force_login(reader)
    client.get(log_url(org), {"action": "membership.created", "since": "2026-01-01"})
    reading = AuditEntry.objects.get(action="audit.read")
    assert reading.actor == reader
    assert (reading.object_type, reading.object_id) == ("organisations.organisation", str(org.pk))
    assert reading.changes == {"action": "membership.created", "since": "2026-01-01", "page": 1}
    # and the next reading shows it
    assert "<td>Journal d'audit consulté</td>" in page(client.get(log_url(org)))


def test_only_staff_with_the_reading_role_reach_the_log(client, org):
    url = log_url(org)
    assert client.get(url)["Location"].startswith("/connexion/")
    for person in (
        factories.manager(org),
        factories.user(),
        factories.staff(ACCOUNT_VALIDATION, DEPOSIT_IDENTIFIERS),
    ):
        client.force_login(person)
        assert client.get(url).status_code == 403
    # the role alone is not enough without staff status
    outsider = factories.user()
    outsider.groups.add(Group.objects.get(name=AUDIT_LOG_READING))
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    assert not AuditEntry.objects.filter(action="audit.read").exists()
    client.force_login(factories.user(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200


def test_an_unknown_organisation_answers_404(client, reader):
    client.force_login(reader)
    assert client.get("/instruction/organismes/999999/journal/").status_code == 404


def test_the_organisation_page_links_to_the_log_for_readers_only(client, org):
    audit.record(actor=None, action="membership.created", obj=org)
    client.force_login(factories.staff(ACCOUNT_VALIDATION))
    html = page(client.get(f"/instruction/organismes/{org.pk}/"))
    assert log_url(org) not in html
    # the page itself no longer shows the trail, whose reading must be audited
    assert "membership.created" not in html
    client.force_login(factories.staff(ACCOUNT_VALIDATION, AUDIT_LOG_READING))
    assert log_url(org) in page(client.get(f"/instruction/organismes/{org.pk}/"))


def test_the_log_of_a_passage(client, deposit, reader):
    b.person()
    deposit(b.deposit_file([b.passage("P-1"), b.passage("P-2")]))
    first, second = Passage.objects.get(id_technique="P-1"), Passage.objects.get(id_technique="P-2")
    audit.record(
        actor=None, action="passage.deleted", obj=first, changes={"status": ["ok", "deleted"]}
    )
    audit.record(actor=None, action="passage.modified", obj=second)
    client.force_login(reader)
    response = client.get(f"/instruction/passages/{first.pk}/journal/")
    html = page(response)
    assert response.status_code == 200
    assert "passage.deleted" in html and "status : ok → deleted" in html
    assert "passage.modified" not in html
    assert "Martin" not in html and "Camille" not in html  # no holder data
    reading = AuditEntry.objects.get(action="audit.read")
    assert (reading.object_type, reading.object_id) == ("deposits.passage", str(first.pk))
    assert client.get("/instruction/passages/999999/journal/").status_code == 404
    client.force_login(factories.staff(ACCOUNT_VALIDATION))
    assert client.get(f"/instruction/passages/{first.pk}/journal/").status_code == 403
