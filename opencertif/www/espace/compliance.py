"""Certifier space: are the user's certifier organisations depositing their passages on time?"""

from django.shortcuts import render
from django.utils import timezone

from opencertif.organisations import perms
from opencertif.organisations.models import Organisation
from opencertif.organisations.perms import Right
from opencertif.passages.compliance import next_deadline, organisation_compliance


def _late_only(request) -> bool:
    return request.GET.get("retard") == "1"


def _shown(report, *, late_only: bool) -> dict:
    return {"report": report, "rows": report.late if late_only else report.certifications}


def index(request):
    """Every organisation the user sees, each with its table (or why it has none)."""
    late_only = _late_only(request)
    organisations = Organisation.objects.visible_to(request.user).order_by("name", "pk")
    reports = [
        _shown(organisation_compliance(organisation=organisation), late_only=late_only)
        for organisation in organisations
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
    org = perms.access(request.user, pk, Right.SEE).organisation
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
