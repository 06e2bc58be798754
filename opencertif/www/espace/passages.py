"""Passages in the certifier space: list, search, export, page, declare, modify, delete,
restore.

A certifier sees the passages of its certifier accounts; a depositor those it deposited
for a certifier that still delegates deposit to it (`Passage.objects.visible_to`). Seeing,
changing (modify, restore), deleting and declaring are different rights, asked of the
domain (`deposits.perms`): every passage is fetched with the right the page needs, and
anybody else's — or an action the user's role does not allow — answers 404; the buttons
follow the same predicates. Reading holder data (the list, a passage's page, an export)
is audited, without the holder's identity nor the typed search text.
"""

import csv
import io
import tempfile

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from opencertif.core import cells
from opencertif.deposits import lifecycle
from opencertif.deposits import perms as deposit_perms
from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.format import vocabulary
from opencertif.deposits.models import Passage
from opencertif.organisations.perms import Right
from opencertif.passages import care, listing
from opencertif.passages import perms as passage_perms
from opencertif.registry.models import Certification
from opencertif.www.espace.deposits import cannot_deposit
from opencertif.www.espace.passage_forms import PassageFilterForm, PassageForm

PAGE_SIZE = 50


def _filtered(request):
    """The list's selection from the query string: (form, queryset, direct hit). The
    filters are read and checked by the domain, as the API's are (`read_filters`)."""
    base = Passage.objects.visible_to(request.user)
    codes = (
        base.exclude(certification_code="")
        .order_by("certification_code")
        .values_list("certification_code", flat=True)
        .distinct()
    )
    form = PassageFilterForm(request.GET or None, certifications=list(codes))
    form.is_valid()  # puts the domain's messages beside the fields
    filters = form.filters
    direct = base.filter(id_technique=filters.q).first() if filters.q else None
    return form, listing.filtered(base, filters), direct


def _audit_read(request, *, action: str, ids: list[int], count: int, filters) -> None:
    for organisation in deposit_perms.passage_organisations(request.user):
        listing.record_read(
            action=action,
            obj=organisation,
            by=request.user,
            ids=ids,
            count=count,
            filters=filters,
        )


def index(request):
    form, queryset, direct = _filtered(request)
    if direct is not None and request.GET.get("q", "").strip() == direct.id_technique:
        return redirect("espace:passage", pk=direct.pk)
    page = Paginator(
        queryset.select_related("certifier__organisation", "last_deposit").defer(
            "fields", "identity"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    _audit_read(
        request,
        action="passages.listed",
        ids=[passage.pk for passage in page],
        count=page.paginator.count,
        filters=form.filters,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "espace/passages/index.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_declare": bool(
                care.routes_for(deposit_perms.declaring_organisations(request.user))
            ),
            "can_bulk_delete": passage_perms.can_bulk_delete(request.user),
        },
    )


EXPORT_HEADERS = (
    "idTechnique",
    "statut",
    "motif du refus",
    "type",
    "certification",
    "titulaire",
    "début de validité",
    "fin de validité",
    "obtention",
    "modalité d'accès",
    "mention",
    "dépôt n°",
    "reçu le",
    "modifié le",
)


def _export_rows(queryset):
    """One tuple per passage; dates and numbers stay dates and numbers (the writers
    format them), texts are made inert by the writers (`core.cells`)."""
    for passage in queryset.iterator(chunk_size=2000):
        fields = passage.fields or {}
        enrolment = fields.get("enrolment") or {}
        yield (
            passage.id_technique,
            passage.get_status_display(),
            passage.ko_message,
            passage.certification_type,
            passage.certification_code,
            passage.holder_label,
            passage.valid_from,
            passage.valid_until,
            vocabulary.value_label("obtained_by", fields.get("obtained_by")),
            vocabulary.value_label("access_mode", enrolment.get("access_mode")),
            vocabulary.value_label("honours", fields.get("honours")),
            passage.last_deposit_id,
            passage.created_at,
            passage.updated_at,
        )


def export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form, queryset, _direct = _filtered(request)
    if form.filter_errors:
        # Never "everything" in place of a selection that could not be read.
        return HttpResponseBadRequest(
            "Filtres illisibles : "
            + " ".join(f"{name} : {message}" for name, message in form.filter_errors.items())
            + " Corrigez-les dans la liste des passages, puis exportez de nouveau.",
            content_type="text/plain; charset=utf-8",
        )
    queryset = queryset.defer("identity")
    _audit_read(
        request,
        action="passages.exported",
        ids=list(queryset.values_list("pk", flat=True)[: listing.AUDITED_IDS + 1]),
        count=queryset.count(),
        filters=form.filters,
    )
    name = "passages"
    if fmt == "csv":

        def chunks():
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            buffer.write("\ufeff")
            writer.writerow(cells.csv_row(EXPORT_HEADERS))
            for number, row in enumerate(_export_rows(queryset), 1):
                writer.writerow(cells.csv_row(row))
                if number % 1000 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Passages")
    sheet.append(cells.xlsx_row(sheet, EXPORT_HEADERS))
    for row in _export_rows(queryset):
        sheet.append(cells.xlsx_row(sheet, row))
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    workbook.save(handle.name)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def detail(request, pk: int):
    passage = deposit_perms.passage_for(request.user, pk)
    listing.record_read(action="passage.viewed", obj=passage, by=request.user, ids=[passage.pk])
    return render(
        request,
        "espace/passages/detail.html",
        {
            "passage": passage,
            "groups": care.describe(passage),
            "history": care.history(passage),
            "hints": care.identity_hints(passage),
            # The holder's guaranteed certifications this organisation may see (their
            # passport shows them all): where a corrected passage appears.
            "holder_passages": Passage.objects.visible_to(request.user)
            .filter(person=passage.person, status=PassageStatus.OK)
            .order_by("-valid_from")
            .select_related("certification")
            if passage.person_id and passage.status == PassageStatus.OK
            else (),
            "can_change": deposit_perms.can_change_passage(request.user, passage),
            "can_delete": deposit_perms.can_delete_passage(request.user, passage),
            "can_restore": lifecycle.can_restore(passage),
            "restore_until": lifecycle.restore_deadline(passage.deleted_at),
        },
    )


def _fiches_of(certifier) -> list[tuple[str, str]]:
    return list(
        Certification.objects.filter(certifier_links__organisation=certifier.organisation)
        .order_by("-is_active", "number")
        .values_list("number", "title")
        .distinct()
    )


def _submit(form, *, id_technique: str, code: str):
    """Check the form's passage against the schema: (record, data) or None with errors."""
    fiche = Certification.objects.filter(number=code).first()
    certification_type = fiche.register.upper() if fiche else ""
    data = form.to_data(id_technique)
    record, errors = care.read(data, certification_type=certification_type, code=code)
    for error in errors:
        form.add_error(None, error)
    return record, data


def _refusal(form, outcome) -> None:
    form.add_error(None, f"Le passage serait refusé : {outcome.message}")
    for hint in outcome.near_misses:
        form.add_error(None, hint)


def declare(request):
    routes = care.routes_for(deposit_perms.declaring_organisations(request.user))
    if not routes:
        return cannot_deposit(request)
    by_key = {route.key: route for route in routes}
    chosen = by_key.get(request.POST.get("route") or request.GET.get("certificateur") or "")
    route = chosen or routes[0]
    form = PassageForm(
        request.POST or None,
        routes=routes,
        fiches=_fiches_of(route.certifier),
        initial={"route": route.key, "identity_kind": "holder", "birth_place_kind": "insee"},
    )
    if request.method == "POST" and form.is_valid():
        id_technique = (form.cleaned_data.get("id_technique") or "").strip()
        id_technique = id_technique or care.new_id_technique()
        record, data = _submit(
            form, id_technique=id_technique, code=form.cleaned_data["certification"]
        )
        if record is not None:
            outcome, deposit = care.declare(route=route, record=record, data=data, by=request.user)
            if deposit is None:
                _refusal(form, outcome)
            else:
                passage = Passage.objects.get(
                    certifier=route.certifier, id_technique=record.id_technique
                )
                messages.success(
                    request,
                    f"Passage {passage.id_technique} déclaré et accepté (dépôt n° "
                    f"{deposit.pk}) : il figure désormais dans le passeport de son titulaire.",
                )
                return redirect("espace:passage", pk=passage.pk)
    return render(
        request,
        "espace/passages/form.html",
        {"form": form, "passage": None, "routes": routes, "route": route},
    )


def modify(request, pk: int):
    passage = deposit_perms.passage_for(request.user, pk, Right.CHANGE_PASSAGES)
    if passage.status == PassageStatus.DELETED:
        messages.error(request, "Ce passage est supprimé : restaurez-le pour le modifier.")
        return redirect("espace:passage", pk=passage.pk)
    form = PassageForm(
        request.POST or None,
        fiches=_fiches_of(passage.certifier),
        passage=passage,
        initial=PassageForm.initial_from(passage),
    )
    if request.method == "POST" and form.is_valid():
        record, _data = _submit(
            form, id_technique=passage.id_technique, code=form.cleaned_data["certification"]
        )
        if record is not None:
            try:
                outcome = care.modify(
                    passage=passage,
                    record=record,
                    by=request.user,
                    expected_hash=form.cleaned_data.get("version") or "",
                )
            except lifecycle.PassageError as exc:
                form.add_error(None, str(exc))
            else:
                if not outcome.ok:
                    _refusal(form, outcome)
                elif outcome.unchanged:
                    messages.info(request, "Aucune modification : le passage est inchangé.")
                    return redirect("espace:passage", pk=passage.pk)
                else:
                    messages.success(
                        request,
                        f"Passage {passage.id_technique} modifié : "
                        f"{passage.get_status_display().lower()}.",
                    )
                    return redirect("espace:passage", pk=passage.pk)
    return render(
        request,
        "espace/passages/form.html",
        {"form": form, "passage": passage},
    )


def delete(request, pk: int):
    passage = deposit_perms.passage_for(request.user, pk, Right.DELETE_PASSAGES)
    error = ""
    if request.method == "POST":
        try:
            lifecycle.delete(passage, by=request.user, reason=request.POST.get("reason", ""))
        except lifecycle.PassageError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                f"Passage {passage.id_technique} supprimé. Vous pouvez le restaurer pendant "
                f"{settings.PASSAGE_RESTORE_DAYS} jours depuis cette page.",
            )
            return redirect("espace:passage", pk=passage.pk)
    return render(
        request,
        "espace/passages/delete.html",
        {"passage": passage, "error": error, "reason": request.POST.get("reason", "")},
    )


@require_POST
def restore(request, pk: int):
    passage = deposit_perms.passage_for(request.user, pk, Right.CHANGE_PASSAGES)
    try:
        lifecycle.restore(passage, by=request.user)
    except lifecycle.PassageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Passage {passage.id_technique} restauré.")
    return redirect(reverse("espace:passage", args=[passage.pk]))
