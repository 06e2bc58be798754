"""Holders' requests in the domain: who receives them, the three months' deadline, the
answers, who is told, the audit trail."""

import datetime

import pytest
from django.utils import timezone

from opencertif.core.models import AuditEntry
from opencertif.core.workflow import TransitionNotAllowed
from opencertif.deposits.enums import PassageStatus
from opencertif.organisations.perms import NotFound
from opencertif.passports import requests as service
from opencertif.passports.enums import MatchOutcome, RequestKind, RequestState
from opencertif.passports.models import CorrectionRequest
from tests import factories
from tests.passports import factories as passport_factories
from tests.passports import requests_world

# Mails leave on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    return requests_world.build()


def report(world, passage=None, **kwargs):
    values = {"fields": ["name"], "message": "Mon prénom est Camille, pas Camile."}
    values.update(kwargs)
    return service.report_error(holder=world.holder, passage=passage or world.passage, **values)


def test_the_certifier_has_three_months_to_answer(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC), tick=False)
    made = report(world)
    assert made.due_on == datetime.date(2026, 6, 1)
    assert (made.due_on - made.created_at.date()).days >= 90
    assert CorrectionRequest.due_date(datetime.date(2026, 1, 1)) == datetime.date(2026, 4, 3)


def test_a_correction_reaches_the_passage_certifier_and_not_another_organisation(world, mailoutbox):
    made = report(world)
    assert made.kind == RequestKind.CORRECTION
    assert made.organisation == world.certifier
    assert made.depositor is None
    assert made.state == RequestState.OPEN
    assert list(CorrectionRequest.objects.visible_to(world.reader)) == [made]
    assert list(CorrectionRequest.objects.visible_to(world.other_manager)) == []
    assert list(CorrectionRequest.objects.editable_by(world.other_manager)) == []
    # The people who may change passages are told, with a link to the request; readers not.
    to_certifier = [m for m in mailoutbox if "gestion@alpha.test" in m.to]
    assert len(to_certifier) == 1
    assert sorted(to_certifier[0].to) == ["gestion@alpha.test", "membre@alpha.test"]
    assert f"/espace/demandes/{made.pk}/" in to_certifier[0].body
    assert not any("gestion@beta.test" in m.to for m in mailoutbox)
    # The holder gets an acknowledgement.
    assert any(m.to == ["camille@example.test"] for m in mailoutbox)


def test_a_passage_sent_by_a_delegated_depositor_keeps_the_depositor(world):
    made = report(world, world.delegated_passage)
    assert made.organisation == world.certifier
    assert made.depositor == world.depositor


def test_a_holder_cannot_report_on_another_holders_passage(world):
    with pytest.raises(service.RequestError):
        report(world, world.other_passage)
    assert not CorrectionRequest.objects.exists()


def test_a_holder_cannot_report_on_a_passage_that_left_their_passport(world):
    world.passage.status = PassageStatus.DELETED
    world.passage.save(update_fields=["status"])
    with pytest.raises(service.RequestError):
        report(world)


def test_a_report_needs_an_element_and_a_message(world):
    with pytest.raises(service.RequestError, match="Cochez"):
        report(world, fields=[])
    with pytest.raises(service.RequestError, match="message"):
        report(world, message="   ")
    with pytest.raises(service.RequestError, match="inconnu"):
        report(world, fields=["shoe_size"])


def test_a_second_open_report_on_the_same_passage_is_refused(world):
    report(world)
    with pytest.raises(service.RequestError, match="attend déjà"):
        report(world)


def test_a_missing_certification_with_a_named_certifier_reaches_it(world, mailoutbox):
    made = service.report_missing(
        holder=world.holder,
        certification=world.certification,
        organisation=world.certifier,
        message="Obtenue en 2019 à Lyon.",
    )
    assert made.kind == RequestKind.MISSING
    assert made.organisation == world.certifier
    assert made.passage is None
    assert any("gestion@alpha.test" in m.to for m in mailoutbox)


def test_a_missing_certification_without_a_certifier_reaches_the_staff(world, mailoutbox):
    staff = factories.staff()
    made = service.report_missing(
        holder=world.holder, certification=world.certification, message="Obtenue en 2019."
    )
    assert made.organisation is None
    assert list(CorrectionRequest.objects.addressed_to_platform()) == [made]
    assert list(CorrectionRequest.objects.visible_to(world.manager)) == []
    assert list(CorrectionRequest.objects.editable_by(staff)) == [made]
    staff_mail = [m for m in mailoutbox if staff.email in m.to]
    assert len(staff_mail) == 1
    assert f"/instruction/demandes/{made.pk}/" in staff_mail[0].body


def test_a_holder_not_matched_reaches_the_staff_even_naming_a_certifier(world):
    unmatched = passport_factories.holder()
    assert unmatched.match_outcome == MatchOutcome.NONE
    made = service.report_missing(
        holder=unmatched,
        certification=world.certification,
        organisation=world.certifier,
        message="Obtenue en 2019.",
    )
    assert made.organisation is None


def test_a_certifier_that_does_not_certify_the_certification_is_refused(world):
    with pytest.raises(service.RequestError, match="pas certificateur"):
        service.report_missing(
            holder=world.holder,
            certification=world.certification,
            organisation=world.other,
            message="Obtenue en 2019.",
        )


def test_the_answer_is_logged_audited_and_mailed_to_the_holder(world, mailoutbox):
    made = report(world)
    mailoutbox.clear()
    service.answer_corrected(request=made, by=world.member, note="Prénom corrigé.")
    made.refresh_from_db()
    assert made.state == RequestState.CORRECTED
    assert made.answer == "Prénom corrigé."
    assert made.answered_by == world.member
    step = made.transitions.get()
    assert (step.name, step.source, step.target, step.actor) == (
        "correct",
        "open",
        "corrected",
        world.member,
    )
    assert AuditEntry.objects.filter(
        action="passport_request.corrected", object_id=str(made.pk), actor=world.member
    ).exists()
    assert [m.to for m in mailoutbox] == [["camille@example.test"]]
    assert "Prénom corrigé." in mailoutbox[0].body
    assert "/passeport/demandes/" in mailoutbox[0].body
    with pytest.raises(TransitionNotAllowed):
        made.refuse(by=world.member, reason="Trop tard.")


def test_the_delegated_depositor_is_told_of_the_answer(world, mailoutbox):
    made = report(world, world.delegated_passage)
    mailoutbox.clear()
    service.answer_refused(
        request=made, by=world.manager, reason="Le nom est celui de l'état civil."
    )
    made.refresh_from_db()
    assert made.state == RequestState.REFUSED
    assert made.transitions.get().note == "Le nom est celui de l'état civil."
    recipients = sorted(address for m in mailoutbox for address in m.to)
    assert recipients == ["camille@example.test", "depot@tiers.test"]
    depositor_mail = next(m for m in mailoutbox if "depot@tiers.test" in m.to)
    assert f"/espace/passages/{world.delegated_passage.pk}/" in depositor_mail.body


def test_a_refusal_needs_a_reason(world):
    made = report(world)
    with pytest.raises(service.RequestError, match="motif"):
        service.answer_refused(request=made, by=world.manager, reason="  ")
    made.refresh_from_db()
    assert made.state == RequestState.OPEN


def test_a_reader_or_another_organisation_cannot_answer(world):
    made = report(world)
    for someone in (world.reader, world.other_manager, factories.staff()):
        with pytest.raises(NotFound):
            service.answer_corrected(request=made, by=someone)
    made.refresh_from_db()
    assert made.state == RequestState.OPEN
    assert not made.transitions.exists()


def test_overdue_lists_open_requests_past_their_due_date(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC), tick=False)
    late = report(world)
    answered = report(world, world.delegated_passage)
    service.answer_corrected(request=answered, by=world.member)
    assert list(CorrectionRequest.objects.overdue()) == []
    time_machine.move_to(datetime.datetime(2026, 4, 10, 10, tzinfo=datetime.UTC), tick=False)
    assert list(CorrectionRequest.objects.overdue()) == [late]
    assert late.is_overdue()
    assert timezone.localdate() > late.due_on


def test_a_request_audits_ids_never_the_message(world):
    made = report(world)
    entry = AuditEntry.objects.get(action="passport_request.created")
    assert entry.object_id == str(made.pk)
    assert entry.actor == world.holder.user
    assert entry.changes["passage"] == world.passage.pk
    assert "Camille" not in str(entry.changes) + entry.summary


def test_a_staff_read_of_a_passport_is_audited(world):
    staff = factories.staff()
    report(world)
    assert service.staff_may_read_passport(staff, world.holder)
    assert not service.staff_may_read_passport(staff, world.other_holder)
    assert not service.staff_may_read_passport(world.manager, world.holder)
    passport = service.read_passport_as_staff(holder=world.holder, by=staff)
    assert {p.pk for p in passport["passages"]} == {world.passage.pk, world.delegated_passage.pk}
    entry = AuditEntry.objects.get(action="passport.read_by_staff")
    assert entry.actor == staff
    assert entry.object_type == "passports.holder"
    assert entry.object_id == str(world.holder.pk)
    assert sorted(entry.changes["ids"]) == sorted([world.passage.pk, world.delegated_passage.pk])
