"""Deposit compliance: is each certifier depositing its holders' passages on time?

The law asks a certifier to deposit the passages of each jury within DEPOSIT_DELAY_MONTHS
(3) months, every year. Per certification it holds, a certifier organisation is **late**
when

(a) the certification is active, the organisation one of its certifiers, and no processed
    deposit has named it for DEPOSIT_LATE_MONTHS (12) months — unless the certification was
    registered less than that long ago; or
(b) accepted passages received in that same window were deposited (`created_at`) more than
    DEPOSIT_DELAY_MONTHS after their validity start (`valid_from`).

Inactive certifications (and fiches the organisation no longer certifies) are listed when
they have passages, never late. Passages are counted in SQL, grouped by certifier account,
certification (and year of reception): the number of queries does not grow with the number
of organisations or certifications. The yearly reminders before DEPOSIT_DEADLINE are sent
by `send_reminders`, run daily by the periodic task `send_deposit_reminders`.
"""

import calendar
import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Count, F, Func, Max, Q
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django_tasks import task

from opencertif.core import mail
from opencertif.deposits.assess import clean_code
from opencertif.deposits.enums import AccountRole, DepositState, PassageStatus
from opencertif.deposits.models import Deposit, DepositAccount, Passage
from opencertif.organisations.enums import Role
from opencertif.organisations.models import Membership, Organisation
from opencertif.passages.enums import ComplianceStatus
from opencertif.passages.models import ReminderSent
from opencertif.registry.enums import LinkState
from opencertif.registry.models import Certification, CertifierLink

log = logging.getLogger(__name__)


# --- dates -------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by `months` calendar months (negative: back), clamped to the month's end:
    31 May + 3 months = 31 August, 30 November + 3 months = 28 (or 29) February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def _french(day: datetime.date | datetime.datetime) -> str:
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    with translation.override(settings.LANGUAGE_CODE):
        return format_date(day, "j F Y")


def _plural(count: int, singular: str, plural: str) -> str:
    return singular if count == 1 else plural


@dataclass(frozen=True)
class Window:
    """The period the rules look at: from `since` (today − DEPOSIT_LATE_MONTHS) to today."""

    today: datetime.date
    since: datetime.date
    late_months: int
    delay_months: int

    @classmethod
    def ending(cls, today: datetime.date | None = None) -> "Window":
        today = today or timezone.localdate()
        late_months = settings.DEPOSIT_LATE_MONTHS
        return cls(
            today=today,
            since=add_months(today, -late_months),
            late_months=late_months,
            delay_months=settings.DEPOSIT_DELAY_MONTHS,
        )

    @property
    def since_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.since, datetime.time.min))


# --- one certification ---------------------------------------------------------------------


@dataclass
class YearCount:
    """Passages received in one calendar year (by `created_at`), not deleted."""

    year: int
    ok: int = 0
    ko: int = 0
    late: int = 0

    @property
    def total(self) -> int:
        return self.ok + self.ko


@dataclass
class CertificationCompliance:
    """Where one certifier organisation stands for one certification."""

    certification_id: int
    number: str
    title: str
    is_active: bool
    held: bool  # the organisation is one of its certifiers (link not inactive)
    registered_on: datetime.date | None
    last_deposit_at: datetime.datetime | None = None
    years: list[YearCount] = field(default_factory=list)
    late_passages: int = 0  # every year
    recent_late_passages: int = 0  # received in the window
    status: str = ComplianceStatus.UP_TO_DATE
    reasons: list[str] = field(default_factory=list)

    @property
    def is_late(self) -> bool:
        return self.status == ComplianceStatus.LATE

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)

    @property
    def passages(self) -> int:
        return sum(year.total for year in self.years)

    def judge(self, window: Window) -> None:
        """Set `status` and `reasons` (French sentences) from the counts and dates."""
        self.reasons = []
        if not self.is_active:
            self.status = ComplianceStatus.NOT_FOLLOWED
            self.reasons.append("Fiche inactive : elle n'entre plus dans le suivi des dépôts.")
            return
        if not self.held:
            self.status = ComplianceStatus.NOT_FOLLOWED
            self.reasons.append(
                "Votre organisme n'est plus certificateur de cette fiche : elle n'entre plus "
                "dans le suivi des dépôts."
            )
            return
        no_recent_deposit = self.last_deposit_at is None or self.last_deposit_at < window.since_at
        is_new = self.registered_on is not None and self.registered_on > window.since
        late = False
        if no_recent_deposit and not is_new:
            late = True
            self.reasons.append(
                f"Aucun dépôt depuis le {_french(window.since)} "
                f"(plus de {window.late_months} mois)."
            )
        if self.recent_late_passages:
            late = True
            count = self.recent_late_passages
            self.reasons.append(
                f"{count} {_plural(count, 'passage reçu', 'passages reçus')} depuis le "
                f"{_french(window.since)} {_plural(count, 'a été déposé', 'ont été déposés')} "
                f"plus de {window.delay_months} mois après "
                f"{_plural(count, 'sa', 'leur')} date de début de validité."
            )
        if late:
            self.status = ComplianceStatus.LATE
        elif no_recent_deposit:
            self.status = ComplianceStatus.NEW
            expected = add_months(self.registered_on, window.late_months)
            self.reasons.append(
                f"Enregistrée le {_french(self.registered_on)} : premier dépôt attendu au plus "
                f"tard le {_french(expected)}."
            )
        else:
            self.status = ComplianceStatus.UP_TO_DATE
            self.reasons.append(f"Dépôt reçu dans les {window.late_months} derniers mois.")


# --- queries shared by the organisation page, the staff summary and the reminders --------


class _LocalDateAfterMonths(Func):
    """PostgreSQL: the local date of `created_at` is after `valid_from` + N months (date +
    interval clamps the month's end, like `add_months`): one cheap test per row."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, months: int):
        super().__init__(F("created_at"), F("valid_from"))
        self.months = months

    def as_sql(self, compiler, connection, **extra_context):
        created, created_params = compiler.compile(self.source_expressions[0])
        valid, valid_params = compiler.compile(self.source_expressions[1])
        sql = f"(({created} AT TIME ZONE %s)::date > {valid} + make_interval(months => %s))"
        zone = timezone.get_current_timezone_name()
        return sql, (*created_params, zone, *valid_params, self.months)


def _late_passage() -> Q:
    """An accepted passage deposited more than DEPOSIT_DELAY_MONTHS after its validity start.

    On SQLite, compared in whole calendar months then days (the same result as the month
    arithmetic of PostgreSQL, which clamps the month's end: 30 Nov + 3 months = 28 Feb)."""
    delay = settings.DEPOSIT_DELAY_MONTHS
    judged = Q(status=PassageStatus.OK, valid_from__isnull=False)
    if connection.vendor == "postgresql":
        return judged & Q(_LocalDateAfterMonths(delay))
    gap = (ExtractYear("created_at") * 12 + ExtractMonth("created_at")) - (
        ExtractYear("valid_from") * 12 + ExtractMonth("valid_from")
    )
    return judged & (
        Q(GreaterThan(gap, delay))
        | Q(Exact(gap, delay), GreaterThan(ExtractDay("created_at"), ExtractDay("valid_from")))
    )


def _passage_counts(*, account_ids: Iterable[int] | None, window: Window):
    """Passages received per (certifier account, certification, year): OK, KO, late, and
    late within the window."""
    passages = Passage.objects.exclude(status=PassageStatus.DELETED).filter(
        certification__isnull=False
    )
    if account_ids is not None:
        passages = passages.filter(certifier_id__in=account_ids)
    late = _late_passage()
    return (
        passages.annotate(year=ExtractYear("created_at"))
        .values("certifier_id", "certification_id", "year")
        .annotate(
            ok=Count("id", filter=Q(status=PassageStatus.OK)),
            ko=Count("id", filter=Q(status=PassageStatus.KO)),
            late=Count("id", filter=late),
            recent_late=Count("id", filter=late & Q(created_at__gte=window.since_at)),
        )
        .order_by()
    )


def _late_counts(*, account_ids: Iterable[int] | None, window: Window):
    """Late passages per (certifier account, certification): every year, and within the
    window. Only late passages are grouped, the others filtered out while scanning."""
    passages = Passage.objects.filter(_late_passage(), certification__isnull=False)
    if account_ids is not None:
        passages = passages.filter(certifier_id__in=account_ids)
    return (
        passages.values("certifier_id", "certification_id")
        .annotate(
            late=Count("id"),
            recent_late=Count("id", filter=Q(created_at__gte=window.since_at)),
        )
        .order_by()
    )


def _last_deposits(
    *, account_ids: Iterable[int] | None, since: datetime.datetime | None = None
) -> dict[tuple[int, str], datetime.datetime]:
    """The most recent processed deposit per (certifier account, fiche number) it named.

    A deposit's certifications are a short JSON list read in Python (the same on both
    databases); deletion files (action SUPPRESSION) deposit nothing."""
    deposits = (
        Deposit.objects.filter(state=DepositState.DONE, certifier_account__isnull=False)
        .exclude(action="SUPPRESSION")
        .order_by()
    )
    if account_ids is not None:
        deposits = deposits.filter(certifier_account_id__in=account_ids)
    if since is not None:
        deposits = deposits.filter(received_at__gte=since)
    latest: dict[tuple[int, str], datetime.datetime] = {}
    rows = deposits.values_list("certifier_account_id", "received_at", "certifications")
    for account_id, received_at, certifications in rows.iterator(chunk_size=2000):
        for header in certifications or ():
            key = (account_id, clean_code(str(header.get("code", ""))))
            if key not in latest or latest[key] < received_at:
                latest[key] = received_at
    return latest


# --- one organisation (certifier page, staff detail) -------------------------------------


@dataclass
class OrganisationCompliance:
    """Every certification of a certifier organisation, late or not."""

    organisation: Organisation
    account: DepositAccount | None
    window: Window
    certifications: list[CertificationCompliance]

    @property
    def is_certifier(self) -> bool:
        return self.account is not None or bool(self.certifications)

    @property
    def late(self) -> list[CertificationCompliance]:
        return [item for item in self.certifications if item.is_late]

    @property
    def followed(self) -> list[CertificationCompliance]:
        """The active certifications it holds, the ones the rules apply to."""
        return [
            item for item in self.certifications if item.status != ComplianceStatus.NOT_FOLLOWED
        ]

    @property
    def late_passages(self) -> int:
        return sum(item.late_passages for item in self.certifications)

    @property
    def deadline(self) -> datetime.date:
        return next_deadline(self.window.today)


def organisation_compliance(
    *, organisation: Organisation, today: datetime.date | None = None
) -> OrganisationCompliance:
    """Where `organisation` stands, per certification: its active fiches as a certifier and
    any fiche with passages of its certifier account; late ones first, then by number."""
    window = Window.ending(today)
    account = DepositAccount.objects.filter(
        organisation=organisation, role=AccountRole.CERTIFIER
    ).first()
    rows: dict[int, CertificationCompliance] = {}
    links = CertifierLink.objects.filter(organisation=organisation).values_list(
        "certification_id",
        "state",
        "certification__number",
        "certification__title",
        "certification__is_active",
        "certification__effect_date",
        "certification__decision_date",
    )
    held: set[int] = set()
    for cert_id, state, number, title, is_active, effect, decision in links:
        if state != LinkState.INACTIVE:
            held.add(cert_id)
        if is_active and state != LinkState.INACTIVE:
            rows[cert_id] = CertificationCompliance(
                certification_id=cert_id,
                number=number,
                title=title,
                is_active=True,
                held=True,
                registered_on=effect or decision,
            )
    years: dict[int, list[YearCount]] = defaultdict(list)
    recent_late: dict[int, int] = defaultdict(int)
    if account is not None:
        for count in _passage_counts(account_ids=[account.pk], window=window):
            cert_id = count["certification_id"]
            years[cert_id].append(
                YearCount(year=count["year"], ok=count["ok"], ko=count["ko"], late=count["late"])
            )
            recent_late[cert_id] += count["recent_late"]
    missing = [cert_id for cert_id in years if cert_id not in rows]
    for cert in Certification.objects.filter(pk__in=missing).values(
        "pk", "number", "title", "is_active", "effect_date", "decision_date"
    ):
        rows[cert["pk"]] = CertificationCompliance(
            certification_id=cert["pk"],
            number=cert["number"],
            title=cert["title"],
            is_active=cert["is_active"],
            held=cert["pk"] in held,
            registered_on=cert["effect_date"] or cert["decision_date"],
        )
    last = _last_deposits(account_ids=[account.pk]) if account is not None else {}
    for item in rows.values():
        item.years = sorted(years.get(item.certification_id, ()), key=lambda year: -year.year)
        item.recent_late_passages = recent_late.get(item.certification_id, 0)
        item.late_passages = sum(year.late for year in item.years)
        if account is not None:
            item.last_deposit_at = last.get((account.pk, item.number))
        item.judge(window)
    ordered = sorted(rows.values(), key=lambda item: (not item.is_late, item.number))
    return OrganisationCompliance(
        organisation=organisation, account=account, window=window, certifications=ordered
    )


# --- every certifier (staff summary, reminders) ------------------------------------------


@dataclass
class OrganisationSummary:
    """One certifier organisation in the staff list."""

    organisation_id: int
    name: str = ""
    account_id: int | None = None
    id_client: str = ""
    account_active: bool = False
    last_deposit_at: datetime.datetime | None = None
    followed: int = 0  # active certifications it holds
    late_passages: int = 0  # every year, every certification
    late_certifications: list[CertificationCompliance] = field(default_factory=list)

    @property
    def late_count(self) -> int:
        return len(self.late_certifications)

    @property
    def is_late(self) -> bool:
        return bool(self.late_certifications)


def summary(
    *, today: datetime.date | None = None, organisation_ids: Iterable[int] | None = None
) -> list[OrganisationSummary]:
    """Every certifier organisation (an active fiche it certifies, or a certifier account),
    with its late certifications and late passages, by name.

    Six queries whatever the number of organisations: the passages are aggregated in SQL by
    certifier account and certification, the deposits of the window read once."""
    window = Window.ending(today)
    found: dict[int, OrganisationSummary] = {}

    def entry(org_id: int) -> OrganisationSummary:
        if org_id not in found:
            found[org_id] = OrganisationSummary(organisation_id=org_id)
        return found[org_id]

    accounts = DepositAccount.objects.filter(role=AccountRole.CERTIFIER)
    links = (
        CertifierLink.objects.filter(certification__is_active=True)
        .exclude(state=LinkState.INACTIVE)
        .order_by()
    )
    account_scope = None  # every certifier account
    if organisation_ids is not None:
        accounts = accounts.filter(organisation_id__in=organisation_ids)
        links = links.filter(organisation_id__in=organisation_ids)
        account_scope = accounts.values("pk")  # a subquery, not thousands of parameters
    org_of_account: dict[int, int] = {}
    for account_id, org_id, id_client, activated_at in accounts.values_list(
        "pk", "organisation_id", "id_client", "activated_at"
    ):
        row = entry(org_id)
        row.account_id, row.id_client = account_id, id_client
        row.account_active = activated_at is not None
        org_of_account[account_id] = org_id

    held: dict[tuple[int, int], CertificationCompliance] = {}
    for org_id, cert_id, number, title, effect, decision in links.values_list(
        "organisation_id",
        "certification_id",
        "certification__number",
        "certification__title",
        "certification__effect_date",
        "certification__decision_date",
    ):
        entry(org_id).followed += 1
        held[(org_id, cert_id)] = CertificationCompliance(
            certification_id=cert_id,
            number=number,
            title=title,
            is_active=True,
            held=True,
            registered_on=effect or decision,
        )
    for count in _late_counts(account_ids=account_scope, window=window):
        org_id = org_of_account.get(count["certifier_id"])
        if org_id is None:
            continue
        found[org_id].late_passages += count["late"]
        item = held.get((org_id, count["certification_id"]))
        if item is not None:
            item.recent_late_passages += count["recent_late"]
    recent = _last_deposits(account_ids=account_scope, since=window.since_at)
    for (org_id, _), item in held.items():
        account_id = found[org_id].account_id
        if account_id is not None:
            item.last_deposit_at = recent.get((account_id, item.number))
        item.judge(window)
        if item.is_late:
            found[org_id].late_certifications.append(item)
    last_by_account = (
        Deposit.objects.filter(state=DepositState.DONE, certifier_account__isnull=False)
        .exclude(action="SUPPRESSION")
        .values("certifier_account_id")
        .annotate(last=Max("received_at"))
        .order_by()
    )
    if account_scope is not None:
        last_by_account = last_by_account.filter(certifier_account_id__in=account_scope)
    for row in last_by_account:
        org_id = org_of_account.get(row["certifier_account_id"])
        if org_id is not None:
            found[org_id].last_deposit_at = row["last"]
    for organisation in Organisation.objects.filter(pk__in=found).only("name", "commercial_name"):
        found[organisation.pk].name = organisation.display_name
    for row in found.values():
        row.late_certifications.sort(key=lambda item: item.number)
    return sorted(found.values(), key=lambda row: (row.name.casefold(), row.organisation_id))


def summary_rows(*, today: datetime.date | None = None) -> list[dict]:
    """`summary()` as JSON rows, kept in the statistics snapshot: at national volume the
    staff list reads them instead of scanning every passage at each page view."""
    return [
        {
            "organisation_id": row.organisation_id,
            "name": row.name,
            "account_id": row.account_id,
            "id_client": row.id_client,
            "account_active": row.account_active,
            "last_deposit_at": row.last_deposit_at.isoformat() if row.last_deposit_at else None,
            "followed": row.followed,
            "late_passages": row.late_passages,
            "late_numbers": [item.number for item in row.late_certifications],
        }
        for row in summary(today=today)
    ]


@dataclass
class StoredSummary:
    """One row of a stored summary, with the attributes the staff list reads."""

    organisation_id: int
    name: str
    account_id: int | None
    id_client: str
    account_active: bool
    last_deposit_at: datetime.datetime | None
    followed: int
    late_passages: int
    late_numbers: list[str]

    @classmethod
    def from_row(cls, row: dict) -> "StoredSummary":
        last = row.get("last_deposit_at")
        return cls(
            **{
                **row,
                "last_deposit_at": datetime.datetime.fromisoformat(last) if last else None,
            }
        )

    @property
    def late_count(self) -> int:
        return len(self.late_numbers)

    @property
    def is_late(self) -> bool:
        return bool(self.late_numbers)


# --- yearly reminders ----------------------------------------------------------------------


def next_deadline(today: datetime.date) -> datetime.date:
    """The yearly deadline (DEPOSIT_DEADLINE) on or after `today`."""
    month, day = settings.DEPOSIT_DEADLINE
    deadline = datetime.date(today.year, month, day)
    if deadline < today:
        deadline = datetime.date(today.year + 1, month, day)
    return deadline


def due_step(today: datetime.date) -> tuple[datetime.date, int] | None:
    """(deadline, days before it) of the reminder step due `today`, if any.

    The step due is the latest one whose day has come: on the step's day, or after it when
    the worker missed it, until the next step or the deadline passes."""
    deadline = next_deadline(today)
    days_left = (deadline - today).days
    steps = [days for days in settings.DEPOSIT_REMINDER_DAYS if days >= days_left]
    if not steps:
        return None
    return deadline, min(steps)


@dataclass
class Reminder:
    """A reminder for one organisation, sent or (dry run, or already sent) not."""

    organisation_id: int
    organisation_name: str
    recipients: list[str]
    late_certifications: list[CertificationCompliance]
    sent: bool = False


@dataclass
class ReminderRun:
    """What one run of `send_reminders` found and did."""

    today: datetime.date
    enabled: bool
    dry_run: bool
    deadline: datetime.date | None = None
    days_before: int | None = None
    reminders: list[Reminder] = field(default_factory=list)
    already_sent: int = 0

    @property
    def sent(self) -> list[Reminder]:
        return [reminder for reminder in self.reminders if reminder.sent]


def send_reminders(*, today: datetime.date | None = None, dry_run: bool = False) -> ReminderRun:
    """Mail the managers of every certifier organisation with an activated certifier account
    and at least one late certification, when a reminder step (DEPOSIT_REMINDER_DAYS before
    DEPOSIT_DEADLINE) is due; never twice for one organisation, deadline and step.

    Each organisation's reminder is recorded (ReminderSent) in its own transaction and its
    mail sent on commit: when two workers run at once, the unique step row lets only one
    send. `dry_run` says who would be reminded and writes and sends nothing; it works even
    when DEPOSIT_REMINDERS is off."""
    today = today or timezone.localdate()
    run = ReminderRun(today=today, enabled=settings.DEPOSIT_REMINDERS, dry_run=dry_run)
    if not run.enabled and not dry_run:
        return run
    step = due_step(today)
    if step is None:
        return run
    run.deadline, run.days_before = step
    org_ids = DepositAccount.objects.filter(
        role=AccountRole.CERTIFIER, activated_at__isnull=False
    ).values("organisation_id")
    done = set(
        ReminderSent.objects.filter(
            deadline=run.deadline, days_before=run.days_before, organisation_id__in=org_ids
        ).values_list("organisation_id", flat=True)
    )
    late = [
        row
        for row in summary(today=today, organisation_ids=org_ids)
        if row.is_late and row.account_active
    ]
    run.already_sent = sum(1 for row in late if row.organisation_id in done)
    late = [row for row in late if row.organisation_id not in done]
    managers: dict[int, list[str]] = defaultdict(list)
    for org_id, email in (
        Membership.objects.filter(
            organisation_id__in=[row.organisation_id for row in late],
            role=Role.MANAGER,
            user__is_active=True,
        )
        .order_by("organisation_id", "user__email")
        .values_list("organisation_id", "user__email")
    ):
        managers[org_id].append(email)
    for row in late:
        reminder = Reminder(
            organisation_id=row.organisation_id,
            organisation_name=row.name,
            recipients=managers.get(row.organisation_id, []),
            late_certifications=row.late_certifications,
        )
        run.reminders.append(reminder)
        if dry_run or not reminder.recipients:
            continue
        reminder.sent = _send_one(
            reminder, today=today, deadline=run.deadline, days_before=run.days_before
        )
    return run


def _send_one(
    reminder: Reminder, *, today: datetime.date, deadline: datetime.date, days_before: int
) -> bool:
    """Record the step and mail the managers on commit; False if it was already recorded."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                organisation_id=reminder.organisation_id,
                deadline=deadline,
                days_before=days_before,
                recipients=len(reminder.recipients),
                late_certifications=len(reminder.late_certifications),
            )
            with translation.override(settings.LANGUAGE_CODE):
                mail.send(
                    to=reminder.recipients,
                    template="deposit_reminder",
                    context={
                        "organisation_name": reminder.organisation_name,
                        "deadline": deadline,
                        "days_left": (deadline - today).days,
                        "late": reminder.late_certifications,
                        "late_months": settings.DEPOSIT_LATE_MONTHS,
                        "delay_months": settings.DEPOSIT_DELAY_MONTHS,
                    },
                )
    except IntegrityError:
        return False  # another worker sent this step a moment ago
    log.info(
        "rappel de dépôt J-%s envoyé à l'organisme %s (%s certification(s) en retard)",
        days_before,
        reminder.organisation_id,
        len(reminder.late_certifications),
    )
    return True


@task()
def send_deposit_reminders() -> int:
    """Daily: send the reminder step due today, if any; return how many were sent."""
    return len(send_reminders().sent)
