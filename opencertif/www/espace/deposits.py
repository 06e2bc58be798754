"""Deposits of passages in the certifier space: upload, live progress, report, downloads.

A depositor sees the deposits it made; a certifier sees the deposits made for it. Seeing
(a reader too) and depositing are different rights, asked of the domain (`deposits.perms`):
a deposit is fetched for the user or answers 404, an upload needs the right to deposit.
"""

import gzip

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from opencertif.core import audit
from opencertif.deposits import engine, reports, samples
from opencertif.deposits import perms as deposit_perms
from opencertif.deposits.enums import Channel, DepositState
from opencertif.deposits.models import Deposit, PassageResult
from opencertif.deposits.sheets.errors import stored_errors_summary
from opencertif.organisations import perms
from opencertif.organisations.models import Organisation
from opencertif.organisations.perms import Right
from opencertif.www.forms import DsfrForm
from opencertif.www.params import id_param
from opencertif.www.uploads import too_big_message


def cannot_deposit(request):
    """The answer to a deposit page (file, spreadsheet, form) for whoever may not deposit:
    why, and what to do — ask a manager for the member role, or have the rights activated."""
    return render(
        request,
        "espace/deposits/cannot_deposit.html",
        {"read_only": _read_only(request.user)},
        status=403,
    )


def _read_only(user) -> bool:
    """Whether the user sees deposits but may deposit for none of their organisations
    (a reader): they are told to ask for the member role, not to activate the rights."""
    return (
        not Organisation.objects.where(user, Right.DEPOSIT).exists()
        and Organisation.objects.where(user, Right.SEE_DEPOSITS).exists()
    )


class UploadForm(DsfrForm):
    organisation = forms.ModelChoiceField(
        label="Organisme déposant", queryset=Organisation.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label="Fichier XML des passages de certification",
        help_text="Format de la Caisse des Dépôts (espace de noms urn:cdc:cpf:pc5:schema:1.0.0), "
        "200 Mo au plus. Le fichier peut être compressé en .gz.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = deposit_perms.depositing_organisations(user)
        self.fields["file"].widget.attrs["accept"] = ".xml,.gz,application/xml,text/xml"


def index(request):
    deposits = Deposit.objects.visible_to(request.user).select_related(
        "organisation", "certifier_account__organisation"
    )
    state = request.GET.get("etat", "")
    if state in DepositState.values:
        deposits = deposits.filter(state=state)
    page = Paginator(deposits.order_by("-received_at", "-id"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "espace/deposits/index.html",
        {
            "page": page,
            "state": state,
            "states": DepositState.choices,
            "can_deposit": deposit_perms.can_deposit_anywhere(request.user),
            "read_only": _read_only(request.user),
        },
    )


def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.fields["organisation"].queryset.exists():
        return cannot_deposit(request)
    if request.method == "POST" and getattr(request, "upload_too_big", False):
        # Cut by opencertif.www.uploads: nothing of the file was written.
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", too_big_message())
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stream = upload.file
        if upload.name.lower().endswith(".gz"):
            stream = gzip.GzipFile(fileobj=upload.file)
        try:
            deposit = engine.receive(
                organisation=form.cleaned_data["organisation"],
                user=request.user,
                channel=Channel.WEB,
                name=upload.name.removesuffix(".gz"),
                stream=stream,
            )
        except engine.DepositRefused as exc:
            form.add_error("file", str(exc))
        except engine.StorageUnavailable as exc:
            form.add_error(None, str(exc))
            return render(request, "espace/deposits/upload.html", {"form": form}, status=503)
        else:
            messages.success(
                request,
                f"Fichier reçu : dépôt n° {deposit.pk}. Son traitement commence ; cette page "
                "se met à jour toute seule.",
            )
            return redirect("espace:deposit", pk=deposit.pk)
    return render(request, "espace/deposits/upload.html", {"form": form})


def sample(request):
    """A 20-passage sample file for the chosen organisation (17 good, 3 mistakes)."""
    organisation = perms.fetch(
        deposit_perms.depositing_organisations(request.user),
        "Organisme introuvable.",
        pk=id_param(request.GET.get("organisation")) or 0,
    )
    try:
        data = samples.sample_file(organisation)
    except samples.NoSample as exc:
        messages.error(request, str(exc))
        return redirect("espace:deposit_upload")
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="exemple-depot-20-passages.xml"'
    return response


def _speed(deposit: Deposit) -> dict:
    """Passages per second and an estimate of the time left, while processing."""
    if deposit.state != DepositState.PROCESSING or not deposit.processing_started_at:
        return {}
    elapsed = (timezone.now() - deposit.processing_started_at).total_seconds()
    if elapsed <= 0 or not deposit.processed:
        return {}
    rate = deposit.processed / elapsed
    left = max(0, deposit.passage_total - deposit.processed) / rate if rate else None
    return {"rate": round(rate), "left": round(left) if left is not None else None}


def detail(request, pk: int):
    deposit = deposit_perms.deposit_for(request.user, pk)
    origin = reports.source(deposit)
    filter_ok = request.GET.get("resultat", "")
    query = (request.GET.get("q") or "").strip()
    results_hidden = not deposit.results_readable_by(request.user)
    results = PassageResult.objects.filter(deposit=origin).order_by("seq")
    if results_hidden:
        results = results.none()
    if filter_ok == "ko":
        results = results.filter(ok=False)
    elif filter_ok == "ok":
        results = results.filter(ok=True)
    if query:
        results = results.filter(Q(id_technique__icontains=query))
    page = Paginator(results, 50).get_page(request.GET.get("page"))
    sheet = origin.channel == Channel.SHEET
    partial = bool(request.htmx and request.GET.get("partie") == "progression")
    rows: list[int] = []
    if sheet and not partial:
        # A spreadsheet deposit: each passage is shown at its row of the sheet.
        rows = Deposit.objects.filter(pk=origin.pk).values_list("sheet_rows", flat=True).get()
        page.object_list = list(page.object_list)
        for result in page.object_list:
            result.sheet_row = reports.sheet_row(rows, result)
    context = {
        "deposit": deposit,
        "origin": origin,
        "page": page,
        "filter_ok": filter_ok,
        "query": query,
        "page_query": urlencode({"resultat": filter_ok, "q": query}),
        "speed": _speed(deposit),
        "sheet": sheet,
        "sheet_count": len(rows),
        "left_out": stored_errors_summary(origin.sheet_errors) if sheet else None,
        "results_hidden": results_hidden,
        "can_retry": deposit.state == DepositState.FAILED
        and deposit_perms.can_retry_deposit(request.user, deposit),
    }
    if partial:
        return render(request, "espace/deposits/_progress.html", context)
    return render(request, "espace/deposits/detail.html", context)


def report(request, pk: int, fmt: str):
    deposit = deposit_perms.deposit_for(request.user, pk)
    origin = reports.source(deposit)
    if origin.state not in (DepositState.DONE, DepositState.REJECTED):
        raise Http404("L'accusé de traitement sera disponible à la fin du traitement.")
    if fmt not in ("xml", "csv", "xlsx"):
        raise Http404
    if not deposit.results_readable_by(request.user):
        raise Http404("Le certificateur a retiré la délégation de dépôt : accusé non consultable.")
    # A report names holders: who downloads it is recorded (ids only).
    audit.record(
        actor=request.user, action="deposit.report_read", obj=deposit, summary=f"accusé {fmt}"
    )
    name = deposit.report_name
    if fmt == "xml":
        response = StreamingHttpResponse(
            reports.xml_chunks(deposit), content_type="application/xml; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xml"'
        return response
    if fmt == "csv":
        response = StreamingHttpResponse(
            reports.csv_chunks(deposit), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        return FileResponse(
            reports.xlsx_file(deposit),
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise Http404


@require_POST
def retry(request, pk: int):
    deposit = deposit_perms.deposit_for(request.user, pk)
    if not deposit_perms.can_retry_deposit(request.user, deposit):
        raise perms.NotFound("Dépôt introuvable.")
    if deposit.state == DepositState.FAILED:
        try:
            engine.retry(deposit=deposit, by=request.user)
        except engine.DepositRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Le traitement reprend là où il s'était arrêté.")
    return redirect("espace:deposit", pk=deposit.pk)
