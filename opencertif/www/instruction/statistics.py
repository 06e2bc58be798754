"""The staff statistics page: the figures of the latest snapshot, never computed here.

The heavy queries run in the background (`passages.statistics.refresh_statistics`, every
STATISTICS_REFRESH_SECONDS); « Actualiser maintenant » only enqueues that task.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from opencertif.accounts.perms import is_platform_staff
from opencertif.organisations.enums import OrganisationKind
from opencertif.passages import statistics

NOT_GIVEN = "Non renseigné"


def percent(part: int, whole: int) -> str:
    """12, 48 → '25,0 %' (French decimal comma, narrow no-break space); '–' without a whole."""
    if not whole:
        return "–"
    return f"{part * 100 / whole:.1f}".replace(".", ",") + "\u202f%"


def kind_label(kind: str) -> str:
    if not kind:
        return NOT_GIVEN
    if kind in OrganisationKind.values:
        return OrganisationKind(kind).label
    return kind


def _kind_order(kind: str) -> tuple[int, str]:
    if kind in OrganisationKind.values:
        return (OrganisationKind.values.index(kind), kind)
    return (len(OrganisationKind.values) + (1 if not kind else 0), kind)


def certifier_rows(certifiers: dict) -> list[dict]:
    """One row per organisation kind (« Non renseigné » last), counts and percentages of
    the known certifiers of that kind."""
    rows = []
    for row in sorted(certifiers["by_kind"], key=lambda row: _kind_order(row["kind"])):
        rows.append(_stages(kind_label(row["kind"]), row))
    return rows


def _stages(label: str, counts: dict) -> dict:
    known = counts["known"]
    stages = [
        {"count": counts[stage], "percent": percent(counts[stage], known)}
        for stage in ("identified", "activated", "deposited")
    ]
    return {
        "label": label,
        "known": known,
        "stages": stages,
        "deposited": stages[-1],
    }


def figures(data: dict) -> dict:
    """What the page shows, from a snapshot's data."""
    certifiers = data["certifiers"]
    return {
        "certifier_rows": certifier_rows(certifiers),
        "certifier_total": _stages("Ensemble", certifiers["total"]),
        "passages": data["passages"],
        "passports": data["passports"],
        "certifications": data["certifications"],
        "certifications_total": sum(data["certifications"].values()),
        "trends": data["trends"],
    }


def refresh_period() -> str:
    """How often the periodic job recomputes the figures, in words."""
    job = settings.PERIODIC_JOBS.get("statistics")
    if not job:
        return "à la demande uniquement"
    minutes = max(1, job[1] // 60)
    return "chaque minute" if minutes == 1 else f"toutes les {minutes} minutes"


def _require_staff(user) -> None:
    if not is_platform_staff(user):
        raise PermissionDenied


def statistics_page(request):
    _require_staff(request.user)
    snapshot = statistics.latest()
    context = {"snapshot": snapshot, "refresh_period": refresh_period()}
    if snapshot is not None:
        context.update(figures(snapshot.data))
        context["duration_seconds"] = snapshot.duration_ms / 1000
    return render(request, "instruction/statistics.html", context)


@require_POST
def refresh_statistics(request):
    """Enqueue a computation of fresh figures (the task skips it if one already answers)."""
    _require_staff(request.user)
    requested_at = timezone.now().isoformat()
    transaction.on_commit(lambda: statistics.refresh_statistics.enqueue(requested_at))
    messages.info(
        request,
        "Actualisation en cours : les chiffres seront mis à jour d'ici quelques minutes. "
        "Rechargez la page pour les voir.",
    )
    return redirect("instruction:statistics")
