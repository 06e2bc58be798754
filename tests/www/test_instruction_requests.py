"""Holders' requests in the staff back office: overdue requests of every organisation,
the requests addressed to the platform (answered by staff), and the staff's read of a
holder's passport, each one audited."""

import datetime

import pytest

from opencertif.core.models import AuditEntry
from opencertif.passports import requests as service
from opencertif.passports.enums import ExperienceKind, RequestState
from opencertif.passports.models import Experience
from tests import factories
from tests.factories import page
from tests.passports import requests_world

# Mails leave on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    return requests_world.build()


@pytest.fixture
def staff():
    return factories.staff()


def correction(world):
    return service.report_error(
        holder=world.holder, passage=world.passage, fields=["name"], message="Prénom erroné."
    )


def to_platform(world):
    return service.report_missing(
        holder=world.holder, certification=world.certification, message="Obtenue en 2019."
    )


def test_staff_list_overdue_requests_and_those_addressed_to_the_platform(
    client, world, staff, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC), tick=False)
    late = correction(world)
    platform = to_platform(world)
    time_machine.move_to(datetime.datetime(2026, 2, 1, 10, tzinfo=datetime.UTC), tick=False)
    client.force_login(staff)
    html = page(client.get("/instruction/demandes/"))
    assert f"Demande n° {platform.pk}<" in html
    assert f"Demande n° {late.pk}<" not in html  # not late yet
    time_machine.move_to(datetime.datetime(2026, 5, 1, 10, tzinfo=datetime.UTC), tick=False)
    client.force_login(staff)  # the session of February has expired
    html = page(client.get("/instruction/demandes/"))
    assert f"Demande n° {late.pk}<" in html and "Université Alpha" in html
    assert "En retard" in html


def test_the_requests_pages_are_for_staff_only(client, world):
    made = to_platform(world)
    client.force_login(world.manager)
    assert client.get("/instruction/demandes/").status_code == 403
    assert client.get(f"/instruction/demandes/{made.pk}/").status_code == 403
    assert client.post(f"/instruction/demandes/{made.pk}/traiter/", {}).status_code == 403
    assert client.get(f"/instruction/titulaires/{world.holder.pk}/").status_code == 403
    assert not AuditEntry.objects.filter(action="passport.read_by_staff").exists()


def test_staff_answer_a_request_addressed_to_the_platform(client, world, staff, mailoutbox):
    made = to_platform(world)
    mailoutbox.clear()
    client.force_login(staff)
    html = page(client.get(f"/instruction/demandes/{made.pk}/"))
    assert "Marquer comme traitée" in html
    assert f'href="/instruction/titulaires/{world.holder.pk}/"' in html
    refused = client.post(f"/instruction/demandes/{made.pk}/refuser/", {"reason": ""})
    assert refused.status_code == 200
    assert "Donnez le motif du refus" in page(refused)
    response = client.post(
        f"/instruction/demandes/{made.pk}/traiter/", {"note": "Transmise au certificateur."}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.state == RequestState.CORRECTED
    assert made.answered_by == staff
    assert [m.to for m in mailoutbox] == [["camille@example.test"]]


def test_staff_see_a_certifiers_request_but_do_not_answer_it(client, world, staff):
    made = correction(world)
    client.force_login(staff)
    html = page(client.get(f"/instruction/demandes/{made.pk}/"))
    assert "Marquer comme traitée" not in html
    assert "lui seul y répond" in html
    assert client.post(f"/instruction/demandes/{made.pk}/traiter/", {}).status_code == 404
    made.refresh_from_db()
    assert made.state == RequestState.OPEN


def test_every_staff_read_of_a_passport_is_audited(client, world, staff):
    to_platform(world)
    Experience.objects.create(
        holder=world.holder,
        kind=ExperienceKind.JOB,
        title="Comptable",
        start_date=datetime.date(2020, 1, 1),
    )
    client.force_login(staff)
    for _ in range(2):
        response = client.get(f"/instruction/titulaires/{world.holder.pk}/")
        assert response.status_code == 200
    html = page(response)
    assert world.certification.number in html
    assert world.passage.id_technique in html
    assert "Comptable" in html
    entries = AuditEntry.objects.filter(action="passport.read_by_staff")
    assert entries.count() == 2
    entry = entries.first()
    assert entry.actor == staff
    assert entry.object_id == str(world.holder.pk)
    assert world.passage.pk in entry.changes["ids"]


def test_staff_do_not_read_the_passport_of_a_holder_without_request(client, world, staff):
    client.force_login(staff)
    assert client.get(f"/instruction/titulaires/{world.other_holder.pk}/").status_code == 403
    assert not AuditEntry.objects.filter(action="passport.read_by_staff").exists()


def test_the_staff_audit_log_names_the_request_actions_in_french(world):
    from opencertif.www.instruction.audit import action_label

    assert action_label("passport.read_by_staff") == (
        "Passeport consulté par l'équipe de la plateforme"
    )
    assert action_label("passport_request.refused") == "Demande d'un titulaire refusée"
