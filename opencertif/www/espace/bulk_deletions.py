"""Mass deletion of passages in the certifier space: criteria, preview, typed confirmation,
progress, restoration. It takes the right to delete passages in bulk (`passages.perms`:
managers, not members nor readers): a deletion of hundreds of passages is theirs to make.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencertif.core.workflow import TransitionNotAllowed
from opencertif.deposits.enums import DepositState
from opencertif.deposits.lifecycle import PassageError
from opencertif.deposits.models import Deposit
from opencertif.organisations.models import Organisation
from opencertif.passages import bulk_deletions as service
from opencertif.passages.enums import BulkDeletionKind, BulkDeletionState
from opencertif.passages.listing import of_organisation
from opencertif.passages.models import BulkDeletion
from opencertif.passages.perms import bulk_deleting_organisations, bulk_deletion_for
from opencertif.www.forms import DsfrForm

MAX_LIST_BYTES = 10 * 1024 * 1024


class CriteriaForm(DsfrForm):
    organisation = forms.ModelChoiceField(
        label="Organisme", queryset=Organisation.objects.none(), empty_label=None, required=False
    )
    kind = forms.ChoiceField(
        label="Quels passages supprimer ?",
        choices=BulkDeletionKind.choices,
        widget=forms.RadioSelect,
        initial=BulkDeletionKind.DEPOSIT,
    )
    deposit = forms.ModelChoiceField(
        label="Dépôt",
        queryset=Deposit.objects.none(),
        required=False,
        empty_label="Choisir un dépôt",
    )
    certification = forms.ChoiceField(label="Certification", required=False)
    start = forms.DateField(
        label="Début de validité à partir du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="Début de validité jusqu'au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    id_techniques_text = forms.CharField(
        label="Liste des idTechnique",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Un par ligne (ou séparés par des virgules ou des points-virgules).",
    )
    id_file = forms.FileField(
        label="… ou un fichier texte ou CSV de idTechnique",
        required=False,
        help_text="Un idTechnique par ligne, 10 Mo au plus.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = bulk_deleting_organisations(user)
        self.fields["organisation"].queryset = organisations
        self.fields["deposit"].queryset = (
            Deposit.objects.filter(organisation__in=organisations, state=DepositState.DONE)
            .exclude(ok_count=0, ko_count=0)
            .order_by("-received_at")
        )
        self.fields["deposit"].label_from_instance = lambda deposit: (
            f"n° {deposit.pk} – {deposit.file_name} – "
            f"{deposit.received_at:%d/%m/%Y} – {deposit.passage_total} passage(s)"
        )
        codes = of_organisation_codes(organisations) if organisations else []
        self.fields["certification"].choices = [("", "Choisir")] + [(c, c) for c in codes]
        self.show_if = {
            "deposit": "kind=deposit",
            "certification": "kind=certification",
            "start": "kind=certification",
            "end": "kind=certification",
            "id_techniques_text": "kind=id_list",
            "id_file": "kind=id_list",
        }

    def clean_id_file(self):
        upload = self.cleaned_data.get("id_file")
        if upload and upload.size > MAX_LIST_BYTES:
            raise forms.ValidationError("Le fichier dépasse 10 Mo : découpez la liste.")
        return upload

    def criteria(self) -> dict:
        data = self.cleaned_data
        text = data.get("id_techniques_text") or ""
        upload = data.get("id_file")
        if upload:
            raw = upload.read()
            try:
                text += "\n" + raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise PassageError(
                    "Le fichier de idTechnique n'est pas en UTF-8 : enregistrez-le en UTF-8."
                ) from exc
        return {
            "deposit": data["deposit"].pk if data.get("deposit") else None,
            "certification": data.get("certification"),
            "start": data.get("start"),
            "end": data.get("end"),
            "id_techniques_text": text,
        }


def of_organisation_codes(organisations) -> list[str]:
    codes = set()
    for organisation in organisations:
        codes.update(
            of_organisation(organisation)
            .exclude(certification_code="")
            .values_list("certification_code", flat=True)
            .distinct()
        )
    return sorted(codes)


def new(request):
    """Choose the passages; a POST from the passage list brings a selection of ids."""
    organisations = bulk_deleting_organisations(request.user)
    if not organisations:
        return render(request, "espace/passages/bulk_forbidden.html", status=403)
    if request.method == "POST" and request.POST.get("kind") == BulkDeletionKind.SELECTION:
        # From the passage list: the checked passages, for the first managed organisation
        # that may look after them.
        ids = request.POST.getlist("ids")
        for organisation in organisations:
            try:
                selection = service.select(
                    organisation=organisation,
                    kind=BulkDeletionKind.SELECTION,
                    criteria={"ids": ids},
                )
            except PassageError as exc:
                messages.error(request, str(exc))
                return redirect("espace:passages")
            if selection.total:
                bulk = service.prepare(
                    organisation=organisation, selection=selection, by=request.user
                )
                return redirect("espace:bulk_deletion_detail", pk=bulk.pk)
        messages.error(request, "Aucun des passages cochés ne peut être supprimé par vous.")
        return redirect("espace:passages")
    form = CriteriaForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"organisation": organisations[0]},
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"] or organisations[0]
        try:
            selection = service.select(
                organisation=organisation,
                kind=form.cleaned_data["kind"],
                criteria=form.criteria(),
            )
            bulk = service.prepare(organisation=organisation, selection=selection, by=request.user)
        except PassageError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("espace:bulk_deletion_detail", pk=bulk.pk)
    return render(request, "espace/passages/bulk_new.html", {"form": form})


def index(request):
    organisations = bulk_deleting_organisations(request.user)
    bulks = (
        BulkDeletion.objects.visible_to(request.user)
        .exclude(state=BulkDeletionState.DRAFT)
        .select_related("organisation", "created_by")
    )
    page = Paginator(bulks, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "espace/passages/bulk_list.html",
        {"page": page, "can_bulk_delete": organisations.exists()},
    )


def detail(request, pk: int):
    bulk = bulk_deletion_for(request.user, pk)
    context = {
        "bulk": bulk,
        "preview": bulk.criteria.get("preview", {}),
        "phrase": service.confirmation_phrase(bulk.total),
        "sample": service.sample(bulk) if bulk.state == BulkDeletionState.DRAFT else (),
        "can_restore": service.can_restore(bulk),
        "restore_until": service.restore_until(bulk),
        "percent": int(bulk.processed * 100 / bulk.total) if bulk.total else 100,
    }
    if request.htmx and request.GET.get("partie") == "progression":
        return render(request, "espace/passages/_bulk_progress.html", context)
    return render(request, "espace/passages/bulk_detail.html", context)


@require_POST
def confirm(request, pk: int):
    bulk = bulk_deletion_for(request.user, pk)
    try:
        service.confirm(
            bulk=bulk,
            confirmation=request.POST.get("confirmation", ""),
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except (PassageError, TransitionNotAllowed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Suppression de {bulk.total} passage(s) lancée : cette page suit son avancement.",
        )
    return redirect("espace:bulk_deletion_detail", pk=bulk.pk)


@require_POST
def restore(request, pk: int):
    bulk = bulk_deletion_for(request.user, pk)
    try:
        service.request_restore(bulk=bulk, by=request.user)
    except (PassageError, TransitionNotAllowed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Restauration lancée : cette page suit son avancement.")
    return redirect("espace:bulk_deletion_detail", pk=bulk.pk)


@require_POST
def retry(request, pk: int):
    bulk = bulk_deletion_for(request.user, pk)
    try:
        service.retry(bulk=bulk, by=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Le traitement reprend là où il s'était arrêté.")
    return redirect("espace:bulk_deletion_detail", pk=bulk.pk)
