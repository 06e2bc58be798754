"""Certifier space: are the user's certifier organisations depositing their passages on time?"""

from django.shortcuts import render
from django.utils import timezone

from opencertif.organisations.models import Membership
from opencertif.passages.compliance import next_deadline, organisation_compliance
from opencertif.www.espace.views import organisation_for


def _late_only(request) -> bool:
    return request.GET.get("retard") == "1"


def _shown(report, *, late_only: bool) -> dict:
    return {"report": report, "rows": report.late if late_only else report.certifications}


def index(request):
    """Every organisation of the user, each with its table (or why it has none)."""
    late_only = _late_only(request)
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id")
    )
    reports = [
        _shown(organisation_compliance(organisation=membership.organisation), late_only=late_only)
        for membership in memberships
    ]
    return render(
        request,
        "espace/compliance/index.html",
        {
            "reports": reports,
            "late_only": late_only,
            "deadline": next_deadline(timezone.localdate()),
        },
    )


def organisation(request, pk: int):
    """One organisation of the user; any other answers 404."""
    org, _ = organisation_for(request.user, pk)
    late_only = _late_only(request)
    report = organisation_compliance(organisation=org)
    return render(
        request,
        "espace/compliance/organisation.html",
        {
            **_shown(report, late_only=late_only),
            "late_only": late_only,
            "deadline": report.deadline,
        },
    )
