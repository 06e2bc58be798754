"""Passages declared in a spreadsheet: the page, our template, and the upload — deposited
through the deposit engine, or turned into the XML file of the accepted rows.

The generated XML of a sheet with rows left out is kept a day under
DATA_DIR/files/sheets/, reachable only from the session that generated it.
"""

import re
import time
import uuid
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render

from opencertif.deposits import engine, spreadsheet
from opencertif.organisations.models import Organisation
from opencertif.www.espace.deposits import depositing_organisations
from opencertif.www.forms import DsfrForm

SESSION_KEY = "sheet_xml"
KEPT_SECONDS = 24 * 3600
KEPT_PER_SESSION = 10
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class SheetForm(DsfrForm):
    organisation = forms.ModelChoiceField(
        label="Organisme déposant", queryset=Organisation.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label="Tableur des passages",
        help_text="Classeur Excel (.xlsx : le modèle officiel ou celui de la plateforme) ou "
        "CSV UTF-8 (séparateur ; ou ,), 200 Mo au plus.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = depositing_organisations(user)
        self.fields["file"].widget.attrs["accept"] = (
            f".xlsx,.csv,{spreadsheet.XLSX_CONTENT_TYPE},text/csv"
        )


def _sheets_dir() -> Path:
    folder = Path(default_storage.path("sheets"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_files(folder: Path) -> None:
    limit = time.time() - KEPT_SECONDS
    for old in folder.glob("*.xml"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


def _xml_name(upload_name: str) -> str:
    stem = Path(upload_name).stem or "passages"
    return re.sub(r"[^\w.\-]+", "_", stem)[:100] + ".xml"


def index(request):
    """The page « Déposer un tableur »: how to fill it, the upload, the two actions."""
    form = SheetForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.fields["organisation"].queryset.exists():
        return render(request, "espace/deposits/cannot_deposit.html", status=403)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        upload = form.cleaned_data["file"]
        if request.POST.get("action") == "xml":
            response = _generate(request, form, organisation, upload, context)
        else:
            response = _deposit(request, form, organisation, upload, context)
        if response is not None:
            return response
    return render(request, "espace/spreadsheets/index.html", context)


def _deposit(request, form, organisation, upload, context):
    try:
        result = spreadsheet.deposit(
            organisation=organisation, user=request.user, name=upload.name, stream=upload.file
        )
    except (spreadsheet.SheetRefused, engine.DepositRefused) as exc:
        form.add_error("file", str(exc))
        return None
    if result.deposit is None:
        messages.error(
            request,
            "Aucune ligne du tableur n'est acceptable : rien n'a été déposé. Corrigez les "
            "erreurs ci-dessous, puis déposez-le de nouveau.",
        )
        context.update(errors=result.errors, total=result.error_total, rows=result.rows_left_out)
        return None
    left_out = (
        f" {result.rows_left_out} ligne(s) écartée(s) : leurs erreurs sont listées plus bas."
        if result.rows_left_out
        else ""
    )
    messages.success(
        request,
        f"Tableur reçu : dépôt n° {result.deposit.pk}, {result.accepted} passage(s). Son "
        f"traitement commence ; cette page se met à jour toute seule.{left_out}",
    )
    return redirect("espace:deposit", pk=result.deposit.pk)


def _generate(request, form, organisation, upload, context):
    try:
        conversion = spreadsheet.convert(upload.file, organisation=organisation)
    except spreadsheet.SheetRefused as exc:
        form.add_error("file", str(exc))
        return None
    with conversion:
        context.update(
            errors=conversion.errors, total=conversion.error_total, rows=conversion.rows_left_out
        )
        if not conversion.accepted:
            messages.error(
                request,
                "Aucune ligne du tableur n'est acceptable : aucun fichier XML n'a été produit. "
                "Corrigez les erreurs ci-dessous.",
            )
            return None
        folder = _sheets_dir()
        _forget_old_files(folder)
        token = uuid.uuid4().hex
        name = _xml_name(upload.name)
        with (folder / f"{token}.xml").open("w", encoding="utf-8", newline="\n") as out:
            conversion.write_xml(out)
    kept = dict(list(request.session.get(SESSION_KEY, {}).items())[-(KEPT_PER_SESSION - 1) :])
    kept[token] = name
    request.session[SESSION_KEY] = kept
    if not conversion.rows_left_out:
        return _xml_response(folder / f"{token}.xml", name)
    context.update(xml_token=token, xml_name=name, accepted=conversion.accepted, generated=True)
    return None


def _xml_response(path: Path, name: str) -> FileResponse:
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/xml; charset=utf-8",
    )


def xml_file(request, token: str):
    """The XML generated from a sheet by this session (rows left out shown on the page)."""
    kept = request.session.get(SESSION_KEY, {})
    if not _TOKEN.match(token) or token not in kept:
        raise Http404("Fichier introuvable : générez-le de nouveau depuis le tableur.")
    path = _sheets_dir() / f"{token}.xml"
    if not path.is_file():
        raise Http404("Fichier expiré : générez-le de nouveau depuis le tableur.")
    return _xml_response(path, kept[token])


def template_xlsx(request):
    """Our template, generated by code: IDs, labels, explanations, lists, NIR column."""
    response = HttpResponse(spreadsheet.template_xlsx(), content_type=spreadsheet.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="modele-passages-opencertif.xlsx"'
    return response


def template_csv(request):
    """The CSV header of the same columns (UTF-8 with BOM, `;`)."""
    response = HttpResponse(spreadsheet.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-passages-opencertif.csv"'
    return response
