"""Holders' requests in the staff back office: the overdue requests of every organisation
and the requests addressed to the platform (which staff answer), a request's page, and the
staff's view of a holder's passport behind a request — every such read audited.

Staff (`is_platform_staff`) see every request; they answer only those addressed to the
platform (`CorrectionRequest.objects.editable_by`): a certifier's request is answered by
the certifier. The permission is checked before anything is looked up.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from opencertif.accounts.perms import is_platform_staff
from opencertif.organisations import perms
from opencertif.passports import requests as service
from opencertif.passports.models import CorrectionRequest, Holder
from opencertif.www.espace.requests import (
    CorrectedForm,
    RefusedForm,
    answer,
    sorted_for_answer,
    with_related,
)

LIST_LIMIT = 500


def _require_staff(user) -> None:
    if not is_platform_staff(user):
        raise PermissionDenied


def index(request):
    """The overdue requests of all organisations, and every request addressed to the
    platform (open first)."""
    _require_staff(request.user)
    visible = CorrectionRequest.objects.visible_to(request.user)
    platform = with_related(visible.addressed_to_platform())
    if request.GET.get("etat") == "ouvertes":
        platform = platform.open()
    overdue = with_related(
        visible.overdue().filter(organisation__isnull=False).order_by("due_on", "id")
    )
    return render(
        request,
        "instruction/requests.html",
        {
            "overdue": list(overdue[:LIST_LIMIT]),
            "platform": list(sorted_for_answer(platform)[:LIST_LIMIT]),
            "filter": request.GET.get("etat", ""),
        },
    )


def _page(request, target, *, corrected_form=None, refused_form=None):
    can_answer = (
        target.can("correct")
        and CorrectionRequest.objects.editable_by(request.user).filter(pk=target.pk).exists()
    )
    return render(
        request,
        "instruction/request.html",
        {
            "target": target,
            "can_answer": can_answer,
            "corrected_form": corrected_form or CorrectedForm(),
            "refused_form": refused_form or RefusedForm(),
            "transitions": target.transitions.select_related("actor"),
        },
    )


def detail(request, pk: int):
    _require_staff(request.user)
    target = get_object_or_404(
        with_related(CorrectionRequest.objects.visible_to(request.user)), pk=pk
    )
    service.record_view(request=target, by=request.user)
    return _page(request, target)


def _answerable(request, pk: int):
    _require_staff(request.user)
    queryset = CorrectionRequest.objects.editable_by(request.user).open()
    return perms.fetch(with_related(queryset), "Demande introuvable.", pk=pk)


@require_POST
def correct(request, pk: int):
    target = _answerable(request, pk)
    return answer(request, target, decision="correct", page=_page, done="instruction:request")


@require_POST
def refuse(request, pk: int):
    target = _answerable(request, pk)
    return answer(request, target, decision="refuse", page=_page, done="instruction:request")


def holder(request, pk: int):
    """A holder's passport as staff read it (behind one of the holder's requests); every
    read is an audit entry about the holder."""
    _require_staff(request.user)
    target = get_object_or_404(Holder.objects.select_related("user", "person"), pk=pk)
    if not service.staff_may_read_passport(request.user, target):
        raise PermissionDenied
    passport = service.read_passport_as_staff(holder=target, by=request.user)
    return render(
        request,
        "instruction/holder.html",
        {
            "holder": target,
            "requests": with_related(target.requests.all()).order_by("-created_at", "-id"),
            **passport,
        },
    )
