"""The audit log of an organisation or of a passage, for staff with the reading role.

Every reading is itself an audit entry (« audit.read ») on the object read, with the
filters used: who looked at what, when. Besides who acted, the log holds ids and codes,
never a holder's identity nor an address; the page shows it as stored. The permission is
checked before the object is looked up, so that others cannot tell which ids exist."""

from django import forms
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from opencertif.accounts.enums import AuditAction as AccountAction
from opencertif.accounts.perms import can_read_audit_log
from opencertif.core import audit
from opencertif.core.enums import AuditAction as CoreAction
from opencertif.deposits.enums import AuditAction as DepositAction
from opencertif.deposits.models import Deposit, Passage
from opencertif.organisations.enums import AuditAction as OrganisationAction
from opencertif.organisations.models import Organisation
from opencertif.passages.enums import AuditAction as PassageAction
from opencertif.passages.models import BulkDeletion
from opencertif.passports.enums import HolderAction as PassportAction
from opencertif.www.forms import DsfrForm

PER_PAGE = 30
# The audit stores stable codes; staff read French (each app lists its actions).
ACTION_LABELS = {
    code: str(label)
    for vocabulary in (
        CoreAction,
        AccountAction,
        OrganisationAction,
        DepositAction,
        PassageAction,
        PassportAction,
    )
    for code, label in vocabulary.choices
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


class LogFilterForm(DsfrForm):
    action = forms.ChoiceField(label="Action", required=False)
    since = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Au (inclus)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Toutes")] + sorted(
            ((a, action_label(a)) for a in actions), key=lambda choice: choice[1]
        )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "La fin de la période précède son début.")
        return data


def _object_label(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _log_page(request, *, subject, title: str, entries, back_url: str, back_label: str):
    form = LogFilterForm(request.GET or None, actions=audit.actions_in(entries))
    filters = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
        entries = audit.filter_entries(entries, **filters)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    # Read before recording: this reading shows from the next page load on.
    rows = [
        (
            entry,
            action_label(entry.action),
            _object_label(entry.object_type),
            audit.describe_changes(entry.changes),
        )
        for entry in page
    ]
    audit.record(
        actor=request.user,
        action=audit.READ_ACTION,
        obj=subject,
        changes={
            **{key: str(value) for key, value in filters.items()},
            "page": page.number,
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "instruction/audit_log.html",
        {
            "title": title,
            "form": form,
            "page": page,
            "rows": rows,
            "page_query": query.urlencode(),
            "back_url": back_url,
            "back_label": back_label,
        },
    )


def organisation_log(request, pk: int):
    """The organisation's entries, its account and join requests', its deposits' and mass
    deletions'."""
    if not can_read_audit_log(request.user):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk)
    entries = audit.entries_about(
        organisation,
        organisation.account_requests.all(),
        organisation.join_requests.all(),
        Deposit.objects.filter(organisation=organisation),
        BulkDeletion.objects.filter(organisation=organisation),
    )
    return _log_page(
        request,
        subject=organisation,
        title=f"Journal d'audit – {organisation.display_name}",
        entries=entries,
        back_url=reverse("instruction:organisation", args=[organisation.pk]),
        back_label="Retour à l'organisme",
    )


def passage_log(request, pk: int):
    """A passage's entries (reached by its id: staff have no passage page)."""
    if not can_read_audit_log(request.user):
        raise PermissionDenied
    passage = get_object_or_404(Passage.objects.only("pk"), pk=pk)
    return _log_page(
        request,
        subject=passage,
        title=f"Journal d'audit – passage n° {passage.pk}",
        entries=audit.entries_about(passage),
        back_url=reverse("instruction:dashboard"),
        back_label="Retour au tableau de bord",
    )
