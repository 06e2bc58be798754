"""The platform's published figures, computed in the background and kept as snapshots.

At national volume (35 million passages, 19 million holders, 2,500 certifiers) the figures
need a few full passes over the passage table: tens of seconds, never on a page. The
periodic job `refresh_statistics` (every STATISTICS_REFRESH_SECONDS) or the staff's
« Actualiser maintenant » button runs `refresh()`, which stores a `StatisticsSnapshot`;
the pages only read `latest()`.

Every figure is one SQL statement that aggregates in the database (one filtered count
per month between the local month boundaries, existence probes on indexed foreign keys),
so no Python loop ever runs over passages. `queries()` names them, for the benchmark
(`bench/national_statistics.py`), which times each one at 10 million passages.

Definitions (what the operators publish):

- **known certifiers**: organisations that certify at least one registry fiche, plus any
  organisation holding a certifier deposit account; of them, those **with deposit
  identifiers** (a certifier account registered), **with an activated account**, and
  **having deposited** (at least one processed deposit or one passage for that account);
- **passages collected**: passages not deleted (OK or KO);
- **passports fed**: distinct persons with at least one OK passage;
- **certifications with passages**: distinct fiches, per register, with at least one OK
  passage;
- **trends** over the last MONTHS months: passages received per month (by reception,
  deleted ones left out) and of which OK; processed deposits per month (by end of
  processing, a file answered as a duplicate of an earlier one left out); certifiers
  whose first processed deposit ended in the month.
"""

import bisect
import datetime
import functools
import itertools
import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django_tasks import task

from opencertif.deposits.enums import AccountRole, DepositState, PassageStatus
from opencertif.deposits.models import Deposit, DepositAccount, Passage
from opencertif.organisations.models import Organisation
from opencertif.passages import compliance
from opencertif.passages.models import StatisticsSnapshot
from opencertif.registry.models import Certification, CertifierLink

log = logging.getLogger(__name__)

# Bump when the shape of `compute()`'s result changes: older snapshots are then ignored.
VERSION = 2  # 2: with the staff compliance list
MONTHS = 24
KEEP_SNAPSHOTS = 5
CERTIFIER_STAGES = ("known", "identified", "activated", "deposited")


def last_months(count: int = MONTHS, *, now: datetime.datetime | None = None) -> list[str]:
    """The keys of the `count` months ending with the current one, oldest first."""
    today = timezone.localtime(now or timezone.now())
    year, month = today.year, today.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def month_bounds(months: list[str]) -> list[datetime.datetime]:
    """The first instant of each month (local time), then the first of the next one."""
    year, month = (int(part) for part in months[-1].split("-"))
    following = f"{year + month // 12:04d}-{month % 12 + 1:02d}"
    return [
        timezone.make_aware(datetime.datetime(int(key[:4]), int(key[5:]), 1))
        for key in (*months, following)
    ]


# --- the queries ---------------------------------------------------------------------------


def certifier_counts() -> list[dict]:
    """Known certifiers and how far each got, per organisation kind ('' = not given).

    One statement: per organisation, index probes on the foreign keys (fiche links, its
    certifier account — one per organisation at most — and that account's passages and
    processed deposits), grouped by kind. The passages and deposits are probed through
    the account's id rather than a join on the organisation: PostgreSQL then uses the
    (certifier, status) index per organisation (5× faster at 1 million passages).
    """
    accounts = DepositAccount.objects.filter(
        organisation=OuterRef("pk"), role=AccountRole.CERTIFIER
    ).order_by()
    known = (
        Organisation.objects.annotate(
            account=Subquery(accounts.values("pk")[:1]),
            linked=Exists(CertifierLink.objects.filter(organisation=OuterRef("pk"))),
        )
        .filter(Q(linked=True) | Q(account__isnull=False))
        .annotate(
            activated=Exists(accounts.filter(activated_at__isnull=False)),
            has_passages=Exists(Passage.objects.filter(certifier_id=OuterRef("account"))),
            has_deposits=Exists(
                Deposit.objects.filter(
                    certifier_account_id=OuterRef("account"), state=DepositState.DONE
                )
            ),
        )
    )
    rows = (
        known.values("kind")
        .annotate(
            known=Count("pk"),
            identified_count=Count("pk", filter=Q(account__isnull=False)),
            activated_count=Count("pk", filter=Q(activated=True)),
            deposited_count=Count("pk", filter=Q(has_passages=True) | Q(has_deposits=True)),
        )
        .order_by("kind")
    )
    return [
        {
            "kind": row["kind"] or "",
            "known": row["known"],
            "identified": row["identified_count"],
            "activated": row["activated_count"],
            "deposited": row["deposited_count"],
        }
        for row in rows
    ]


def _by_month(field: str, bounds: list[datetime.datetime]) -> dict[str, Count]:
    """One COUNT … FILTER (WHERE bounds[i] <= field < bounds[i + 1]) per month.

    Cheaper than grouping by a truncated date: comparing instants costs less than
    converting each row to local time (on SQLite, TruncMonth is a Python function per
    row), and grouping by a column the planner knows lets PostgreSQL scan in parallel.
    """
    return {
        f"month_{index}": Count("pk", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end}))
        for index, (start, end) in enumerate(itertools.pairwise(bounds))
    }


def passages_by_status(bounds: list[datetime.datetime]) -> dict[str, dict]:
    """Per status: every passage ever received, and those received in each month.

    One pass over the passage table gives the totals and the trends.
    """
    months = _by_month("created_at", bounds)
    rows = Passage.objects.values("status").annotate(total=Count("pk"), **months).order_by()
    return {
        row["status"]: {"total": row["total"], "months": [row[name] for name in months]}
        for row in rows
    }


def passport_count() -> int:
    """Distinct persons with at least one OK passage: an index-only scan of the
    (person, status) index (1.4× faster at 10 million passages than asking from the
    persons' side, and without temporary files)."""
    return (
        Passage.objects.filter(status=PassageStatus.OK, person__isnull=False)
        .values("person")
        .distinct()
        .count()
    )


def certifications_with_passages() -> dict[str, int]:
    """Distinct fiches with at least one OK passage, per register (rncp, rs)."""
    rows = (
        Certification.objects.filter(
            Exists(Passage.objects.filter(certification=OuterRef("pk"), status=PassageStatus.OK))
        )
        .values("register")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["register"]: row["count"] for row in rows}


def _processed_deposits():
    return Deposit.objects.filter(state=DepositState.DONE, duplicate_of__isnull=True)


def deposits_by_month(bounds: list[datetime.datetime]) -> list[int]:
    """Processed deposits in each month (by end of processing)."""
    months = _by_month("finished_at", bounds)
    counts = _processed_deposits().filter(finished_at__gte=bounds[0]).aggregate(**months)
    return [counts[name] for name in months]


def first_deposits_by_month(bounds: list[datetime.datetime]) -> list[int]:
    """Certifier organisations whose first processed deposit ended in each month."""
    firsts = (
        _processed_deposits()
        .filter(certifier_account__role=AccountRole.CERTIFIER)
        .values("certifier_account__organisation")
        .annotate(first=Min("finished_at"))
        .filter(first__gte=bounds[0], first__lt=bounds[-1])
        .order_by()
        .values_list("first", flat=True)
    )
    counts = [0] * (len(bounds) - 1)
    for first in firsts:  # one row per certifier (2,500 nationally), never per passage
        counts[bisect.bisect_right(bounds, first) - 1] += 1
    return counts


def queries(*, now: datetime.datetime | None = None) -> dict[str, Callable[[], object]]:
    """The statements behind `compute()`, by name, for the window ending at `now`: what
    the benchmark times one by one. Each is one SQL statement."""
    bounds = month_bounds(last_months(MONTHS, now=now))
    return {
        "certifiers": certifier_counts,
        "passages": functools.partial(passages_by_status, bounds),
        "passports": passport_count,
        "certifications": certifications_with_passages,
        "deposits": functools.partial(deposits_by_month, bounds),
        "first_deposits": functools.partial(first_deposits_by_month, bounds),
        # Not one statement: the staff compliance list (six), kept here so that its page
        # reads it instead of scanning every passage at each view.
        "compliance": functools.partial(
            compliance.summary_rows, today=timezone.localdate(now or timezone.now())
        ),
    }


# --- assembling, storing, reading ----------------------------------------------------------


def compute(*, now: datetime.datetime | None = None) -> dict:
    """Compute every published figure; returns JSON-serialisable data (see the module doc).

    `data["timings_ms"]` says how long each query took.
    """
    now = now or timezone.now()
    timings: dict[str, int] = {}
    results = {}
    for name, query in queries(now=now).items():
        started = time.perf_counter()
        results[name] = query()
        timings[name] = round((time.perf_counter() - started) * 1000)

    by_kind = results["certifiers"]
    passages = results["passages"]
    empty = {"total": 0, "months": [0] * MONTHS}
    ok, ko = passages.get(PassageStatus.OK, empty), passages.get(PassageStatus.KO, empty)
    registers = results["certifications"]
    return {
        "version": VERSION,
        "certifiers": {
            "total": {stage: sum(row[stage] for row in by_kind) for stage in CERTIFIER_STAGES},
            "by_kind": by_kind,
        },
        "passages": {
            "collected": ok["total"] + ko["total"],
            "ok": ok["total"],
            "ko": ko["total"],
            "deleted": passages.get(PassageStatus.DELETED, empty)["total"],
        },
        "passports": results["passports"],
        "certifications": {
            "rncp": registers.get("rncp", 0),
            "rs": registers.get("rs", 0),
        },
        "trends": {
            "months": last_months(MONTHS, now=now),
            "passages": [a + b for a, b in zip(ok["months"], ko["months"], strict=True)],
            "passages_ok": ok["months"],
            "deposits": results["deposits"],
            "new_certifiers": results["first_deposits"],
        },
        "compliance": results["compliance"],
        "timings_ms": timings,
    }


def refresh(*, requested_at: datetime.datetime | None = None) -> StatisticsSnapshot:
    """Compute the figures and store them as a new snapshot; keep the last KEEP_SNAPSHOTS.

    With `requested_at` (when someone asked for fresh figures), a snapshot whose
    computation started after that moment already answers the request: it is returned
    and nothing is computed, so a request enqueued twice computes once.
    """
    if requested_at is not None:
        current = latest()
        if current is not None and started_at(current) >= requested_at:
            return current
    started = time.perf_counter()
    data = compute()
    # Rounded down: `started_at()` must never say the computation began earlier than it did.
    duration_ms = int((time.perf_counter() - started) * 1000)
    compliance_rows = data.pop("compliance")
    with transaction.atomic():
        snapshot = StatisticsSnapshot.objects.create(
            data=data, compliance=compliance_rows, duration_ms=duration_ms
        )
        kept = StatisticsSnapshot.objects.order_by("-computed_at", "-id").values_list(
            "pk", flat=True
        )[:KEEP_SNAPSHOTS]
        StatisticsSnapshot.objects.exclude(pk__in=list(kept)).delete()
    log.info("statistiques calculées en %d ms", duration_ms)
    return snapshot


def latest(*, with_compliance: bool = False) -> StatisticsSnapshot | None:
    """The newest snapshot of the current shape, or None when none was computed yet; its
    compliance list is only read when asked for."""
    snapshots = StatisticsSnapshot.objects.filter(data__version=VERSION)
    if not with_compliance:
        snapshots = snapshots.defer("compliance")
    return snapshots.order_by("-computed_at", "-id").first()


def started_at(snapshot: StatisticsSnapshot) -> datetime.datetime:
    """When the computation of `snapshot` began: its figures are at least this recent."""
    return snapshot.computed_at - datetime.timedelta(milliseconds=snapshot.duration_ms)


@task()
def refresh_statistics(requested_at: str | None = None) -> None:
    """Periodic (and on request): store fresh figures; `requested_at` is an ISO moment."""
    refresh(requested_at=datetime.datetime.fromisoformat(requested_at) if requested_at else None)
