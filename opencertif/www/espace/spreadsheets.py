"""Passages declared in a spreadsheet: the page, our template, the upload, and the page
that follows its conversion in the background — into a deposit, or into the XML file of
the accepted rows.

The upload is only stored (at most DEPOSIT_MAX_BYTES received, streamed to disk) and
answered at once with a redirect to the conversion's page, which polls its progress with
htmx (a link refreshes it without JavaScript). Only the uploading organisation's people
who may see its deposits see a conversion and its XML file; uploading takes the right to
deposit (`deposits.perms`).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render

from opencertif.core import audit
from opencertif.deposits import engine
from opencertif.deposits import perms as deposit_perms
from opencertif.deposits.enums import SheetAction, SheetImportState
from opencertif.deposits.models import SheetImport
from opencertif.deposits.sheets import imports as sheet_imports
from opencertif.deposits.sheets import template
from opencertif.deposits.sheets.errors import SheetRefused, stored_errors_summary
from opencertif.organisations.models import Organisation
from opencertif.www.espace.deposits import cannot_deposit
from opencertif.www.forms import DsfrForm

RECENT = 10


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
        self.fields["organisation"].queryset = deposit_perms.depositing_organisations(user)
        self.fields["file"].widget.attrs["accept"] = (
            f".xlsx,.csv,{template.XLSX_CONTENT_TYPE},text/csv"
        )


def _too_big() -> str:
    limit = settings.DEPOSIT_MAX_BYTES
    return (
        f"Le fichier dépasse la taille maximale d'un dépôt ({limit // 1_000_000} Mo) : "
        "répartissez les passages sur plusieurs tableurs."
    )


def index(request):
    """The page « Déposer un tableur »: how to fill it, the upload, the two actions.

    An upload past DEPOSIT_MAX_BYTES is cut by opencertif.www.uploads (nothing written)."""
    form = SheetForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.fields["organisation"].queryset.exists():
        return cannot_deposit(request)
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        if getattr(request, "upload_too_big", False):
            form.errors.pop("file", None)
            form.add_error("file", _too_big())
        elif valid:
            action = SheetAction.XML if request.POST.get("action") == "xml" else SheetAction.DEPOSIT
            try:
                sheet = sheet_imports.receive(
                    organisation=form.cleaned_data["organisation"],
                    user=request.user,
                    action=action,
                    upload=form.cleaned_data["file"],
                )
            except SheetRefused as exc:
                form.add_error("file", str(exc))
            except engine.StorageUnavailable as exc:
                form.add_error(None, str(exc))
                status = 503
            else:
                messages.success(
                    request,
                    f"Tableur reçu (n° {sheet.pk}) : sa conversion commence ; cette page se "
                    "met à jour toute seule.",
                )
                return redirect("espace:spreadsheet_import", pk=sheet.pk)
    recent = (
        SheetImport.objects.visible_to(request.user)
        .select_related("organisation")
        .defer("errors")[:RECENT]
    )
    return render(
        request, "espace/spreadsheets/index.html", {"form": form, "recent": recent}, status=status
    )


def status(request, pk: int):
    """A conversion: its progress while it runs, then its result (the deposit, the XML
    file, the rows left out, or why the file was refused)."""
    sheet = deposit_perms.sheet_import_for(request.user, pk)
    context = {
        "sheet": sheet,
        "left_out": stored_errors_summary(sheet.errors) if sheet.is_final else None,
        "xml_kept": sheet.state == SheetImportState.DONE
        and sheet.action == SheetAction.XML
        and sheet_imports.xml_path(sheet) is not None,
    }
    if request.htmx and request.GET.get("partie") == "progression":
        return render(request, "espace/spreadsheets/_status.html", context)
    return render(request, "espace/spreadsheets/status.html", context)


def xml_file(request, pk: int):
    """The XML file generated from a sheet, kept a day."""
    sheet = deposit_perms.sheet_import_for(request.user, pk)
    if sheet.state != SheetImportState.DONE or sheet.action != SheetAction.XML:
        raise Http404("Ce tableur n'a pas produit de fichier XML.")
    path = sheet_imports.xml_path(sheet)
    if path is None:
        raise Http404("Fichier expiré : déposez de nouveau le tableur pour le produire.")
    # The file names holders: who downloads it is recorded (ids only).
    audit.record(actor=request.user, action="sheet.xml_read", obj=sheet, summary=sheet.xml_name)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=sheet.xml_name,
        content_type="application/xml; charset=utf-8",
    )


def template_xlsx(request):
    """Our template, generated by code: IDs, labels, explanations, lists, NIR column."""
    response = HttpResponse(template.template_xlsx(), content_type=template.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="modele-passages-opencertif.xlsx"'
    return response


def template_csv(request):
    """The CSV header of the same columns (UTF-8 with BOM, `;`)."""
    response = HttpResponse(template.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-passages-opencertif.csv"'
    return response
