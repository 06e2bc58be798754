"""Staff back office: deposit compliance of every certifier organisation."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode

from opencertif.accounts.perms import is_platform_staff
from opencertif.organisations.models import Organisation
from opencertif.passages import statistics
from opencertif.passages.compliance import StoredSummary, organisation_compliance, summary

PER_PAGE = 50

# Sort keys: (label, key function). Python sorts ≤ 2,500 summaries computed in one pass.
SORTS = {
    "retard": (
        "Certifications en retard (décroissant)",
        lambda row: (-row.late_count, -row.late_passages, row.name.casefold()),
    ),
    "passages": (
        "Passages déposés en retard (décroissant)",
        lambda row: (-row.late_passages, -row.late_count, row.name.casefold()),
    ),
    "nom": ("Nom de l'organisme", lambda row: (row.name.casefold(), row.organisation_id)),
    "depot": (
        "Dernier dépôt (le plus ancien d'abord)",
        lambda row: (
            row.last_deposit_at is not None,
            row.last_deposit_at.timestamp() if row.last_deposit_at else 0,
            row.name.casefold(),
        ),
    ),
}


def _summary():
    """The list from the latest statistics snapshot when it is recent (at national volume
    the summary scans every passage: computed in the background, read here), else now."""
    snapshot = statistics.latest(with_compliance=True)
    limit = timezone.now() - datetime.timedelta(seconds=3 * settings.STATISTICS_REFRESH_SECONDS)
    if snapshot is not None and snapshot.computed_at >= limit:
        rows = [StoredSummary.from_row(row) for row in snapshot.compliance]
        return rows, snapshot.computed_at
    return summary(), None


def _require_staff(user) -> None:
    if not is_platform_staff(user):
        raise PermissionDenied


def index(request):
    """Every certifier organisation with its late counts: sortable, filterable, paginated."""
    _require_staff(request.user)
    sort = request.GET.get("tri") if request.GET.get("tri") in SORTS else "retard"
    late_only = request.GET.get("retard") == "1"
    rows, as_of = _summary()
    totals = {
        "organisations": len(rows),
        "late_organisations": sum(1 for row in rows if row.is_late),
        "late_certifications": sum(row.late_count for row in rows),
        "late_passages": sum(row.late_passages for row in rows),
    }
    if late_only:
        rows = [row for row in rows if row.is_late]
    rows.sort(key=SORTS[sort][1])
    return render(
        request,
        "instruction/compliance/index.html",
        {
            "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
            "sort": sort,
            "sorts": [(key, label) for key, (label, _) in SORTS.items()],
            "late_only": late_only,
            "totals": totals,
            "query": urlencode({"tri": sort, "retard": "1" if late_only else ""}),
            "as_of": as_of,
        },
    )


def organisation(request, pk: int):
    """One organisation, with the same table as its certifiers see."""
    _require_staff(request.user)
    org = get_object_or_404(Organisation, pk=pk)
    late_only = request.GET.get("retard") == "1"
    report = organisation_compliance(organisation=org)
    return render(
        request,
        "instruction/compliance/organisation.html",
        {
            "report": report,
            "rows": report.late if late_only else report.certifications,
            "late_only": late_only,
            "deadline": report.deadline,
        },
    )
