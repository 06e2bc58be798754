"""Holders' requests in the certifier space: the list of the requests addressed to the
user's organisations, a request's page, and the two answers (« Marquer comme traitée »,
« Refuser »).

Seeing needs the right to see the organisation's passages, answering the right to change
them (`CorrectionRequest.objects.of_organisations_for`, `editable_by`): another
organisation's request answers 404, and so does an answer from a reader (no button is
shown to them). Opening a request is audited: it names a holder.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, F, Q, Value, When
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencertif.organisations import perms
from opencertif.organisations.perms import Right
from opencertif.passports import requests as service
from opencertif.passports.enums import RequestState
from opencertif.passports.models import CorrectionRequest
from opencertif.www.accounts.links import site_url
from opencertif.www.forms import DsfrForm

PAGE_SIZE = 50
FILTERS = {"ouvertes": "open", "traitees": "answered"}


class CorrectedForm(DsfrForm):
    note = forms.CharField(
        label="Message au titulaire (facultatif)",
        help_text="Par exemple : ce que vous avez corrigé.",
        required=False,
        max_length=service.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RefusedForm(DsfrForm):
    reason = forms.CharField(
        label="Motif du refus (envoyé au titulaire)",
        max_length=service.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Donnez le motif du refus : il est envoyé au titulaire."},
    )


def with_related(queryset):
    return queryset.select_related(
        "holder__user",
        "holder__person",
        "passage__certifier__organisation",
        "certification",
        "organisation",
        "depositor",
    )


def sorted_for_answer(queryset):
    """Open requests first, the nearest due date first; then the answered ones, newest
    answer first."""
    is_open = Q(state=RequestState.OPEN)
    return queryset.annotate(
        answered_rank=Case(When(is_open, then=Value(1)), default=Value(2)),
        open_due=Case(When(is_open, then=F("due_on"))),
    ).order_by("answered_rank", "open_due", "-answered_at", "-id")


def _visible(user):
    return CorrectionRequest.objects.of_organisations_for(user, Right.SEE_PASSAGES)


def open_count(user) -> int:
    """How many requests wait for an answer in the user's organisations (home page)."""
    return _visible(user).open().count()


def index(request):
    wanted = FILTERS.get(request.GET.get("etat", ""), "")
    queryset = with_related(_visible(request.user))
    if wanted == "open":
        queryset = queryset.open()
    elif wanted == "answered":
        queryset = queryset.answered()
    page = Paginator(sorted_for_answer(queryset), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "espace/requests/index.html",
        {"page": page, "query": query.urlencode(), "filter": request.GET.get("etat", "")},
    )


def _page(request, target, *, corrected_form=None, refused_form=None, status=200):
    can_answer = (
        target.can("correct")
        and CorrectionRequest.objects.editable_by(request.user).filter(pk=target.pk).exists()
    )
    return render(
        request,
        "espace/requests/detail.html",
        {
            "target": target,
            "can_answer": can_answer,
            "can_see_passage": target.passage_id is not None
            and perms.has_right(request.user, target.organisation, Right.SEE_PASSAGES),
            "can_change_passage": target.passage_id is not None
            and perms.has_right(request.user, target.organisation, Right.CHANGE_PASSAGES),
            "corrected_form": corrected_form or CorrectedForm(),
            "refused_form": refused_form or RefusedForm(),
            "transitions": target.transitions.select_related("actor"),
        },
        status=status,
    )


def detail(request, pk: int):
    target = perms.fetch(with_related(_visible(request.user)), "Demande introuvable.", pk=pk)
    service.record_view(request=target, by=request.user)
    return _page(request, target)


def _answerable(request, pk: int):
    queryset = CorrectionRequest.objects.of_organisations_for(
        request.user, Right.CHANGE_PASSAGES
    ).open()
    return perms.fetch(with_related(queryset), "Demande introuvable.", pk=pk)


def answer(request, target, *, decision: str, page, done: str):
    """Apply the answer posted for `target` ("correct" or "refuse"): the form again with its
    errors through `page`, or the answer saved, the holder told and back to `done`."""
    if decision == "correct":
        form = CorrectedForm(request.POST)
        if not form.is_valid():
            return page(request, target, corrected_form=form)
        service.answer_corrected(
            request=target,
            by=request.user,
            note=form.cleaned_data["note"],
            site_url=site_url(request),
        )
        messages.success(
            request, "La demande est marquée comme traitée ; le titulaire est prévenu."
        )
    else:
        form = RefusedForm(request.POST)
        if not form.is_valid():
            return page(request, target, refused_form=form)
        service.answer_refused(
            request=target,
            by=request.user,
            reason=form.cleaned_data["reason"],
            site_url=site_url(request),
        )
        messages.success(request, "La demande est refusée ; le titulaire est prévenu du motif.")
    return redirect(done, pk=target.pk)


@require_POST
def correct(request, pk: int):
    return answer(
        request, _answerable(request, pk), decision="correct", page=_page, done="espace:request"
    )


@require_POST
def refuse(request, pk: int):
    return answer(
        request, _answerable(request, pk), decision="refuse", page=_page, done="espace:request"
    )
