import datetime
import itertools
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from opencertif.deposits.enums import AccountRole
from opencertif.deposits.models import Deposit, DepositAccount, Passage
from opencertif.passages import compliance
from opencertif.passages.compliance import organisation_compliance, send_reminders, summary
from opencertif.passages.models import ReminderSent
from opencertif.registry.models import Certification
from tests import factories
from tests.deposits import builders as b
from tests.registry.factories import create, fiche

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 3, 1)  # the window of 12 months starts on 1 March 2025
UNIVERSITY_FICHES = [f"RNCP9000{i}" for i in range(1, 10)] + ["RNCP90010", "RS90001"]
UNIVERSITY_FICHES += ["RS90002", "RS90003"]
_ids = itertools.count(1)


def at(day: str, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=PARIS)


@pytest.fixture
def university(demo):
    return demo["university"]


@pytest.fixture
def account(university):
    return DepositAccount.objects.get(organisation=university, role=AccountRole.CERTIFIER)


def deposited(account, *numbers, on: str, state="done", action="CREATION") -> Deposit:
    """A processed deposit of `account` naming these fiches, received on `on`."""
    deposit = Deposit.objects.create(
        organisation=account.organisation,
        channel="web",
        file_name="depot.xml",
        size=1,
        sha256="0",
        state=state,
        action=action,
        certifier_account=account,
        certifications=[
            {"type": number.rstrip("0123456789"), "code": number, "nature": "", "passages": 1}
            for number in numbers
        ],
    )
    Deposit.objects.filter(pk=deposit.pk).update(received_at=at(on))
    return deposit


def passage(account, number, *, received, valid_from="2025-06-20", status="ok") -> Passage:
    """A passage of `number` first deposited at `received` (a day or an aware datetime)."""
    created = Passage.objects.create(
        certifier=account,
        id_technique=f"T{next(_ids)}",
        status=status,
        certification=Certification.objects.get(number=number),
        certification_type="RNCP",
        certification_code=number,
        valid_from=datetime.date.fromisoformat(valid_from) if valid_from else None,
        content_hash="0",
    )
    when = at(received) if isinstance(received, str) else received
    Passage.objects.filter(pk=created.pk).update(created_at=when)
    return created


def row(report, number):
    return next(item for item in report.certifications if item.number == number)


def all_deposited(account, on="2026-01-15", *, but=()):
    deposited(account, *[n for n in UNIVERSITY_FICHES if n not in but], on=on)


# --- rules ---------------------------------------------------------------------------------


def test_a_certification_without_a_deposit_for_12_months_is_late(university, account):
    deposited(account, "RNCP90001", on="2025-02-27")  # 12 months and 2 days ago
    deposited(account, "RNCP90002", on="2025-03-01")  # first day of the window
    deposited(account, "RNCP90003", on="2025-11-02")
    report = organisation_compliance(organisation=university, today=TODAY)
    late = row(report, "RNCP90001")
    assert late.is_late and late.status == "late"
    assert late.reason == "Aucun dépôt depuis le 1 mars 2025 (plus de 12 mois)."
    assert late.last_deposit_at == at("2025-02-27")
    for number in ("RNCP90002", "RNCP90003"):
        assert row(report, number).status == "up_to_date", number
    never = row(report, "RS90003")
    assert never.is_late and never.last_deposit_at is None
    # Late ones first, then by number.
    assert [item.number for item in report.certifications[:2]] == ["RNCP90001", "RNCP90004"]
    assert len(report.late) == 11 and len(report.followed) == 13


def test_the_last_deposit_is_the_most_recent_processed_one_naming_the_fiche(university, account):
    deposited(account, "RNCP90001", "RNCP90002", on="2025-10-01")
    deposited(account, "RNCP90002", on="2026-02-01")
    deposited(account, "RNCP90001", on="2026-02-20", state="rejected")
    deposited(account, "RNCP90003", on="2026-02-20", action="SUPPRESSION")
    report = organisation_compliance(organisation=university, today=TODAY)
    assert row(report, "RNCP90001").last_deposit_at == at("2025-10-01")
    assert row(report, "RNCP90002").last_deposit_at == at("2026-02-01")
    # A rejected file or a deletion file deposits nothing.
    assert row(report, "RNCP90003").last_deposit_at is None
    assert row(report, "RNCP90003").is_late


def test_a_deposit_names_its_fiches_whatever_their_spelling(university, account):
    deposit = deposited(account, on="2026-01-10")
    deposit.certifications = [{"type": "RNCP", "code": " rncp 90004 ", "passages": 2}]
    deposit.save(update_fields=["certifications"])
    report = organisation_compliance(organisation=university, today=TODAY)
    assert row(report, "RNCP90004").status == "up_to_date"


def test_a_certification_registered_less_than_12_months_ago_is_not_late(university, account):
    Certification.objects.filter(number="RNCP90005").update(
        effect_date=datetime.date(2025, 9, 15), decision_date=datetime.date(2025, 9, 1)
    )
    Certification.objects.filter(number="RNCP90006").update(
        effect_date=None, decision_date=datetime.date(2025, 2, 28)
    )
    report = organisation_compliance(organisation=university, today=TODAY)
    new = row(report, "RNCP90005")
    assert not new.is_late and new.status == "new"
    assert new.reason == (
        "Enregistrée le 15 septembre 2025 : premier dépôt attendu au plus tard le "
        "15 septembre 2026."
    )
    # Registered before the window (decision date when there is no effect date): late.
    assert row(report, "RNCP90006").is_late


def test_an_inactive_certification_is_listed_with_its_passages_and_never_late(university, account):
    Certification.objects.filter(number__in=["RNCP90007", "RNCP90008"]).update(is_active=False)
    passage(account, "RNCP90007", received="2026-02-01", valid_from="2025-01-01")
    report = organisation_compliance(organisation=university, today=TODAY)
    inactive = row(report, "RNCP90007")
    assert inactive.status == "not_followed" and not inactive.is_late
    assert inactive.reason == "Fiche inactive : elle n'entre plus dans le suivi des dépôts."
    # Its late passages are still counted and shown.
    assert inactive.late_passages == 1
    # An inactive certification without passages is not listed.
    assert "RNCP90008" not in [item.number for item in report.certifications]
    assert len(report.followed) == 11


def test_passages_deposited_more_than_3_months_after_their_validity_start_are_late(
    university, account
):
    all_deposited(account)
    on_time = [
        ("2025-06-20", "2025-09-20"),  # exactly 3 months
        ("2025-11-30", "2026-02-28"),  # 30 Nov + 3 months is the end of February
        ("2025-05-31", "2025-08-31"),
    ]
    late = [
        ("2025-06-20", "2025-09-21"),
        ("2025-11-30", "2026-03-01"),
        ("2025-01-10", "2025-12-01"),
    ]
    for valid_from, received in on_time + late:
        passage(account, "RNCP90001", received=received, valid_from=valid_from)
    # Received just after midnight in Paris (still 20 September in UTC): a day late.
    passage(account, "RNCP90001", received=at("2025-09-21", 0, 30), valid_from="2025-06-20")
    # Refused passages and passages without a validity start are not judged.
    passage(account, "RNCP90001", received="2026-02-01", valid_from="2020-01-01", status="ko")
    passage(account, "RNCP90001", received="2026-02-01", valid_from=None)
    report = organisation_compliance(organisation=university, today=TODAY)
    item = row(report, "RNCP90001")
    assert item.late_passages == 4 and item.recent_late_passages == 4
    assert [(y.year, y.ok, y.ko, y.late) for y in item.years] == [
        (2026, 3, 1, 1),
        (2025, 5, 0, 3),
    ]
    assert item.is_late
    assert item.reason == (
        "4 passages reçus depuis le 1 mars 2025 ont été déposés plus de 3 mois après leur "
        "date de début de validité."
    )


def test_passages_are_counted_per_year_of_reception_without_the_deleted_ones(university, account):
    all_deposited(account)
    for received, status in [
        ("2024-05-02", "ok"),
        ("2024-12-31", "ko"),
        ("2025-01-01", "ok"),
        ("2025-07-14", "ok"),
        ("2025-07-14", "deleted"),
        ("2026-01-05", "deleted"),
    ]:
        passage(account, "RNCP90002", received=received, valid_from=received, status=status)
    item = row(organisation_compliance(organisation=university, today=TODAY), "RNCP90002")
    assert [(y.year, y.total, y.ok, y.ko) for y in item.years] == [(2025, 2, 2, 0), (2024, 2, 1, 1)]
    assert item.passages == 4


def test_old_late_passages_are_shown_but_do_not_make_the_certification_late(university, account):
    all_deposited(account)
    passage(account, "RNCP90003", received="2024-10-01", valid_from="2024-01-15")
    item = row(organisation_compliance(organisation=university, today=TODAY), "RNCP90003")
    assert item.late_passages == 1 and item.recent_late_passages == 0
    assert item.status == "up_to_date"


def test_a_real_deposit_brings_its_certification_up_to_date(university, deposit):
    b.person()
    on_time = b.passage(
        "P1", valid_from="2026-02-10", exam_start="2026-02-02", exam_end="2026-02-03"
    )
    with time_machine.travel(at("2026-02-25"), tick=False):
        done = deposit(b.deposit_file([on_time], code="RNCP90009"))
    assert (done.state, done.ok_count) == ("done", 1)
    report = organisation_compliance(organisation=university, today=TODAY)
    item = row(report, "RNCP90009")
    assert item.status == "up_to_date" and item.last_deposit_at == done.received_at
    assert [(y.year, y.ok, y.late) for y in item.years] == [(2026, 1, 0)]


def test_an_organisation_without_fiches_or_certifier_account_is_not_a_certifier(demo):
    report = organisation_compliance(organisation=demo["third_party"], today=TODAY)
    assert not report.is_certifier and report.certifications == []


def test_a_certifier_without_deposit_identifiers_has_all_its_active_fiches_late(db):
    create(fiche("RNCP123456", certifiers=(("11004301500012", "MINISTERE DU TRAVAIL"),)))
    certification = Certification.objects.get(number="RNCP123456")
    organisation = certification.certifier_links.get().organisation
    report = organisation_compliance(organisation=organisation, today=TODAY)
    assert report.is_certifier and report.account is None
    assert [item.number for item in report.late] == ["RNCP123456"]


# --- staff summary -------------------------------------------------------------------------


@pytest.fixture
def certifiers(university, account):
    """The university (2 late fiches, 3 late passages), a ministry without identifiers
    (1 late fiche), a school up to date, and organisations that are not followed."""
    all_deposited(account, but=("RNCP90001", "RS90002"))
    passage(account, "RNCP90003", received="2025-12-01", valid_from="2025-01-10")
    passage(account, "RNCP90003", received="2024-12-01", valid_from="2024-01-10")
    passage(account, "RNCP90004", received="2026-02-01", valid_from="2025-06-01", status="ko")
    create(
        fiche("RNCP123456", certifiers=(("11004301500012", "MINISTERE DU TRAVAIL"),)),
        fiche("RNCP123457", certifiers=(("19750000000010", "ECOLE DES METIERS"),)),
        fiche("RNCP123458", certifiers=(("19750000000028", "ANCIEN CERTIFICATEUR"),), active=False),
    )
    school = Certification.objects.get(number="RNCP123457").certifier_links.get().organisation
    school_account = DepositAccount.objects.create(
        organisation=school,
        role=AccountRole.CERTIFIER,
        id_client="ECOLE001",
        id_contract="C1",
        activated_at=at("2025-01-01"),
    )
    deposited(school_account, "RNCP123457", on="2025-12-24")
    passage(school_account, "RNCP123457", received="2025-12-24", valid_from="2025-01-02")
    factories.organisation("Organisme sans fiche")
    return {"school": school}


def test_the_staff_summary_counts_late_certifications_and_passages_per_organisation(
    certifiers, university
):
    rows = {row.name: row for row in summary(today=TODAY)}
    assert sorted(rows) == [
        "ECOLE DES METIERS",
        "MINISTERE DU TRAVAIL",
        "Université de démonstration (Campus Démo)",
    ]
    uni = rows["Université de démonstration (Campus Démo)"]
    assert (uni.followed, uni.late_count, uni.late_passages) == (13, 3, 2)
    assert [item.number for item in uni.late_certifications] == [
        "RNCP90001",
        "RNCP90003",
        "RS90002",
    ]
    assert uni.id_client == "DEMO0001" and uni.account_active
    assert uni.last_deposit_at == at("2026-01-15")
    ministry = rows["MINISTERE DU TRAVAIL"]
    assert (ministry.late_count, ministry.late_passages, ministry.account_id) == (1, 0, None)
    school = rows["ECOLE DES METIERS"]
    # Its one late passage makes its only fiche late.
    assert (school.late_count, school.late_passages) == (1, 1)


def test_the_staff_summary_agrees_with_the_organisation_page(certifiers, university):
    report = organisation_compliance(organisation=university, today=TODAY)
    (uni,) = [row for row in summary(today=TODAY) if row.organisation_id == university.pk]
    assert [item.number for item in report.late] == [
        item.number for item in uni.late_certifications
    ]
    assert report.late_passages == uni.late_passages


def test_the_staff_summary_runs_six_queries_whatever_the_number_of_organisations(
    certifiers, django_assert_num_queries
):
    with django_assert_num_queries(6):
        first = summary(today=TODAY)
    for index in range(5):
        create(fiche(f"RNCP2000{index}", certifiers=((f"1975000010{index:04d}", f"ORG {index}"),)))
    with django_assert_num_queries(6):
        assert len(summary(today=TODAY)) == len(first) + 5


# --- reminders -----------------------------------------------------------------------------


@pytest.fixture
def people(university):
    """The university's manager (demo), a second manager, a member and a former manager."""
    second = factories.manager(university, email="second@univ-demo.test")
    member = factories.member(university, email="membre@univ-demo.test")
    gone = factories.manager(university, email="parti@univ-demo.test", is_active=False)
    return {"second": second, "member": member, "gone": gone}


# Mails leave when the transaction commits: these tests commit for real.
committed = pytest.mark.django_db(transaction=True)


def reminded(day: str, **options) -> compliance.ReminderRun:
    return send_reminders(today=datetime.date.fromisoformat(day), **options)


@committed
def test_reminders_go_to_the_managers_of_late_certifiers_on_each_step_day(
    university, account, people, certifiers, mailoutbox
):
    run = reminded("2026-03-01")  # 30 days before 31 March
    assert (run.deadline, run.days_before) == (datetime.date(2026, 3, 31), 30)
    # The ministry has no certifier account; the school is late too, but has no manager.
    assert sorted((r.organisation_name, r.sent) for r in run.reminders) == [
        ("ECOLE DES METIERS", False),
        ("Université de démonstration (Campus Démo)", True),
    ]
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == ["gestion@univ-demo.test", "second@univ-demo.test"]
    assert message.subject == (
        "Dépôt des passages de certification : 3 certifications en retard avant l'échéance "
        "du 31 mars 2026"
    )
    assert "le mardi 31 mars 2026, dans 30 jours" in message.body
    assert "- RNCP90001 – Master Comptabilité, contrôle, audit" in message.body
    assert "Aucun dépôt depuis le 1 mars 2025 (plus de 12 mois)." in message.body
    assert "1 passage reçu depuis le 1 mars 2025 a été déposé plus de 3 mois" in message.body
    assert "http://127.0.0.1:8000/espace/conformite/" in message.body
    assert "&#x27;" not in message.body
    assert factories.link_in(message, r"https?://\S+/espace/conformite/") == "/espace/conformite/"
    sent = ReminderSent.objects.get()
    assert (sent.organisation, sent.deadline, sent.days_before) == (
        university,
        datetime.date(2026, 3, 31),
        30,
    )
    assert (sent.recipients, sent.late_certifications) == (2, 3)
    assert reminded("2026-03-02").sent == []  # same step: never twice
    assert len(reminded("2026-03-24").sent) == 1  # J-7
    assert len(reminded("2026-03-30").sent) == 1  # J-1
    assert "le mardi 31 mars 2026, demain" in mailoutbox[-1].body
    for day in ("2026-03-31", "2026-04-01", "2026-06-15"):
        assert reminded(day).sent == [], day
    assert len(mailoutbox) == 3
    assert sorted(ReminderSent.objects.values_list("days_before", flat=True)) == [1, 7, 30]


@committed
def test_a_step_missed_while_the_worker_was_down_is_sent_until_the_deadline(
    university, account, mailoutbox
):
    assert reminded("2026-02-28").deadline is None  # 31 days before: no step yet
    assert len(reminded("2026-03-03").sent) == 1  # J-30 was missed on 1 March
    assert reminded("2026-03-04").sent == []
    assert len(reminded("2026-03-31").sent) == 1  # J-7 and J-1 missed: J-1 on the day itself
    assert reminded("2026-03-31").sent == []
    assert ReminderSent.objects.filter(days_before=1).exists()
    assert not ReminderSent.objects.filter(days_before=7).exists()
    # Past the deadline, the next one is a year away: nothing until then.
    assert reminded("2026-04-02").sent == []
    assert len(mailoutbox) == 2


@committed
def test_the_daily_task_sends_the_step_due_today(university, account, mailoutbox):
    with time_machine.travel(at("2026-03-24"), tick=False):
        compliance.send_deposit_reminders.enqueue()
        compliance.send_deposit_reminders.enqueue()
    assert len(mailoutbox) == 1 and ReminderSent.objects.get().days_before == 7


@committed
def test_a_reminder_recorded_by_another_worker_is_not_sent_again(university, mailoutbox):
    reminder = compliance.Reminder(
        organisation_id=university.pk,
        organisation_name="Université",
        recipients=["gestion@univ-demo.test"],
        late_certifications=[],
    )
    deadline = datetime.date(2026, 3, 31)
    ReminderSent.objects.create(organisation=university, deadline=deadline, days_before=7)
    assert not compliance._send_one(reminder, today=TODAY, deadline=deadline, days_before=7)
    assert mailoutbox == [] and ReminderSent.objects.count() == 1


@committed
def test_no_reminder_when_nothing_is_late(university, account, mailoutbox):
    all_deposited(account)
    run = reminded("2026-03-01")
    assert run.reminders == [] and mailoutbox == []
    assert not ReminderSent.objects.exists()


@committed
def test_no_reminder_for_identifiers_not_activated(university, account, mailoutbox):
    DepositAccount.objects.filter(pk=account.pk).update(activated_at=None)
    assert reminded("2026-03-01").reminders == [] and mailoutbox == []


@committed
def test_no_reminder_when_they_are_turned_off(university, account, settings, mailoutbox):
    settings.DEPOSIT_REMINDERS = False
    run = reminded("2026-03-01")
    assert not run.enabled and run.reminders == []
    assert mailoutbox == [] and not ReminderSent.objects.exists()


@committed
def test_the_deadline_and_the_steps_follow_the_settings(university, account, settings, mailoutbox):
    settings.DEPOSIT_DEADLINE = (6, 30)
    settings.DEPOSIT_REMINDER_DAYS = (14, 0)
    assert reminded("2026-03-01").deadline is None
    assert reminded("2026-06-15").deadline is None  # 15 days before
    run = reminded("2026-06-16")
    assert (run.deadline, run.days_before, len(run.sent)) == (datetime.date(2026, 6, 30), 14, 1)
    assert len(reminded("2026-06-30").sent) == 1
    assert "le mardi 30 juin 2026, aujourd'hui" in mailoutbox[-1].body


@committed
def test_the_command_dry_run_says_who_would_be_reminded_and_sends_nothing(
    university, account, people, mailoutbox, capsys
):
    call_command("send_reminders", "--dry-run", "--date", "2026-03-24")
    out = capsys.readouterr().out
    assert "24/03/2026 : rappel J-7 de l'échéance du 31/03/2026." in out
    assert "Université de démonstration (Campus Démo) (13 certification(s) en retard" in out
    assert "serait relancé → gestion@univ-demo.test, second@univ-demo.test" in out
    assert "membre@" not in out and "parti@" not in out
    assert "Simulation : 1 organisme(s) seraient relancés, rien envoyé." in out
    assert mailoutbox == [] and not ReminderSent.objects.exists()
    call_command("send_reminders", "--date", "2026-03-24")
    out = capsys.readouterr().out
    assert ": relancé → gestion@univ-demo.test" in out and "1 rappel(s) envoyé(s)." in out
    assert len(mailoutbox) == 1
    call_command("send_reminders", "--date", "2026-03-24")
    out = capsys.readouterr().out
    assert "1 organisme(s) déjà relancé(s) pour cette étape." in out
    assert "0 rappel(s) envoyé(s)." in out and len(mailoutbox) == 1


def test_the_command_reports_days_without_a_step_and_turned_off_reminders(
    university, account, settings, capsys
):
    call_command("send_reminders", "--date", "2026-05-10")
    assert "aucune étape de rappel n'est due (prochaine échéance : 31/03/2027)" in (
        capsys.readouterr().out
    )
    settings.DEPOSIT_REMINDERS = False
    call_command("send_reminders", "--date", "2026-03-01")
    assert "Rappels désactivés" in capsys.readouterr().out
    call_command("send_reminders", "--dry-run", "--date", "2026-03-01")
    assert "serait relancé" in capsys.readouterr().out
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("send_reminders", "--date", "01/03/2026")


# --- settings ------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent.parent


def load_settings(**variables) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter with these variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DEPOSIT_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(SECRET_KEY="x", DATABASE_URL="sqlite:///:memory:", **variables)
    code = (
        "import config.settings.base as s; "
        "print(s.DEPOSIT_DEADLINE, s.DEPOSIT_REMINDER_DAYS, s.DEPOSIT_REMINDERS, "
        "s.DEPOSIT_LATE_MONTHS, s.DEPOSIT_DELAY_MONTHS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_the_compliance_settings_have_defaults_and_read_the_environment():
    assert load_settings().stdout.strip() == "(3, 31) (30, 7, 1) True 12 3"
    custom = load_settings(
        DEPOSIT_DEADLINE="06-30",
        DEPOSIT_REMINDER_DAYS=" 1, 14,0 ",
        DEPOSIT_REMINDERS="non",
        DEPOSIT_LATE_MONTHS="18",
        DEPOSIT_DELAY_MONTHS="6",
    )
    assert custom.stdout.strip() == "(6, 30) (14, 1, 0) False 18 6"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEPOSIT_DEADLINE", "31-03"),
        ("DEPOSIT_DEADLINE", "02-29"),
        ("DEPOSIT_DEADLINE", "3-31"),
        ("DEPOSIT_DEADLINE", "mars"),
        ("DEPOSIT_REMINDER_DAYS", "30,sept,1"),
        ("DEPOSIT_REMINDER_DAYS", "-1"),
        ("DEPOSIT_REMINDER_DAYS", "400"),
        ("DEPOSIT_REMINDER_DAYS", ""),
        ("DEPOSIT_REMINDERS", "peut-être"),
        ("DEPOSIT_LATE_MONTHS", "0"),
        ("DEPOSIT_DELAY_MONTHS", "trois"),
    ],
)
def test_malformed_compliance_settings_are_refused(name, value):
    loaded = load_settings(**{name: value})
    assert loaded.returncode != 0
    assert "ImproperlyConfigured" in loaded.stderr and name in loaded.stderr
