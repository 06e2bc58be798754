"""The staff back office: account requests, join requests, organisations, deposit identifiers."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from opencertif.accounts.perms import (
    can_manage_deposit_identifiers,
    can_read_audit_log,
    can_validate_accounts,
    is_platform_staff,
)
from opencertif.core.workflow import TransitionNotAllowed
from opencertif.deposits import services as deposit_services
from opencertif.deposits.enums import AccountRole
from opencertif.deposits.models import Delegation, DepositAccount
from opencertif.organisations import perms, services
from opencertif.organisations.enums import AccountRequestState, JoinRequestState, Role
from opencertif.organisations.models import AccountRequest, Document, JoinRequest, Organisation
from opencertif.www.accounts.links import site_url
from opencertif.www.espace.forms import ReasonForm
from opencertif.www.espace.views import _file_response
from opencertif.www.forms import DsfrForm


def _require(check, user) -> None:
    if not check(user):
        raise PermissionDenied


def dashboard(request):
    _require(is_platform_staff, request.user)
    return render(
        request,
        "instruction/dashboard.html",
        {
            "pending_requests": AccountRequest.objects.filter(
                state=AccountRequestState.SUBMITTED
            ).count(),
            "pending_joins": JoinRequest.objects.filter(state=JoinRequestState.PENDING).count(),
            "organisations": Organisation.objects.with_account().count(),
            "without_identifiers": Organisation.objects.with_account()
            .filter(deposit_accounts__isnull=True)
            .count(),
            "can_validate": can_validate_accounts(request.user),
            "can_identify": can_manage_deposit_identifiers(request.user),
        },
    )


def account_requests(request):
    _require(can_validate_accounts, request.user)
    state = request.GET.get("etat") or AccountRequestState.SUBMITTED
    if state not in AccountRequestState.values:
        state = AccountRequestState.SUBMITTED
    queue = (
        AccountRequest.objects.filter(state=state)
        .select_related("user")
        .order_by("submitted_at", "created_at")
    )
    return render(
        request,
        "instruction/account_requests.html",
        {
            "page": Paginator(queue, 30).get_page(request.GET.get("page")),
            "state": state,
            "states": AccountRequestState.choices,
        },
    )


def account_request(request, pk: int):
    _require(can_validate_accounts, request.user)
    target = get_object_or_404(AccountRequest.objects.select_related("user", "organisation"), pk=pk)
    existing, existing_managers = None, 0
    if target.siret:
        existing = Organisation.objects.filter(siret=target.siret).first()
    if existing is not None:
        # The sign-up does not tell whether a SIRET already has an account (that would
        # reveal it to anyone): staff see it here, before making the requester a manager.
        existing_managers = existing.memberships.filter(role=Role.MANAGER).count()
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accepter":
                organisation = services.accept_account_request(
                    account_request=target, by=request.user, site_url=site_url(request)
                )
                messages.success(
                    request,
                    f"Compte de {organisation} validé ; {target.user} en est gestionnaire et a "
                    "reçu son identifiant.",
                )
                return redirect("instruction:organisation", pk=organisation.pk)
            if action == "refuser" and form.is_valid():
                services.reject_account_request(
                    account_request=target,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    site_url=site_url(request),
                )
                messages.success(request, "Demande refusée ; le demandeur a reçu le motif.")
                return redirect("instruction:account_requests")
        except TransitionNotAllowed:
            messages.error(request, "Cette demande a déjà été traitée (par vous ou un collègue).")
            return redirect("instruction:account_request", pk=target.pk)
    return render(
        request,
        "instruction/account_request.html",
        {
            "target": target,
            "existing": existing,
            "existing_managers": existing_managers,
            "form": form,
            "documents": target.documents.all(),
            "transitions": target.transitions.select_related("actor"),
        },
    )


def request_document(request, document: int):
    """A document of a request still being examined (staff only)."""
    _require(is_platform_staff, request.user)
    return _file_response(
        perms.fetch(Document.objects.visible_to(request.user), "Document introuvable.", pk=document)
    )


def join_requests(request):
    _require(can_validate_accounts, request.user)
    queue = JoinRequest.objects.filter(state=JoinRequestState.PENDING).select_related(
        "user", "organisation"
    )
    return render(request, "instruction/join_requests.html", {"queue": queue})


def organisations(request):
    _require(is_platform_staff, request.user)
    query = (request.GET.get("q") or "").strip()
    found = Organisation.objects.all()
    if query:
        digits = "".join(query.split())
        found = found.filter(
            Q(name__icontains=query)
            | Q(commercial_name__icontains=query)
            | Q(siret=digits)
            | Q(deposit_accounts__id_client=query.upper())
        ).distinct()
    else:
        found = found.with_account()
    found = found.annotate(member_count=Count("memberships", distinct=True)).order_by("name")
    return render(
        request,
        "instruction/organisations.html",
        {"page": Paginator(found, 30).get_page(request.GET.get("page")), "query": query},
    )


class IdentifiersForm(DsfrForm):
    role = forms.ChoiceField(label="Rôle", choices=AccountRole.choices)
    id_client = forms.CharField(label="idClient (8 caractères)", max_length=8, min_length=8)
    id_contract = forms.CharField(
        label="idContrat (certificateur, 1 à 20 caractères)", max_length=20, required=False
    )


def organisation(request, pk: int):
    _require(is_platform_staff, request.user)
    org = get_object_or_404(Organisation, pk=pk)
    form = IdentifiersForm(request.POST or None)
    if request.method == "POST":
        _require(can_manage_deposit_identifiers, request.user)
        if form.is_valid():
            try:
                account = deposit_services.register_identifiers(
                    organisation=org,
                    role=form.cleaned_data["role"],
                    id_client=form.cleaned_data["id_client"],
                    id_contract=form.cleaned_data["id_contract"],
                    by=request.user,
                    site_url=site_url(request),
                )
            except deposit_services.IdentifierError as exc:
                form.add_error(None, str(exc))
            else:
                if account.notified_at:
                    messages.success(
                        request, f"Identifiants {account} enregistrés et envoyés aux gestionnaires."
                    )
                else:
                    messages.warning(
                        request,
                        f"Identifiants {account} enregistrés ; l'organisme n'a pas encore de "
                        "gestionnaire : envoyez-les quand il en aura un.",
                    )
                return redirect("instruction:organisation", pk=org.pk)
    return render(
        request,
        "instruction/organisation.html",
        {
            "organisation": org,
            "members": org.memberships.select_related("user"),
            "documents": org.documents.all(),
            "accounts": DepositAccount.objects.filter(organisation=org),
            "delegations": Delegation.objects.filter(
                Q(certifier__organisation=org) | Q(depositor__organisation=org)
            ).select_related("certifier__organisation", "depositor__organisation"),
            "can_read_audit_log": can_read_audit_log(request.user),
            "account_requests": org.account_requests.all(),
            "form": form,
            "can_identify": can_manage_deposit_identifiers(request.user),
        },
    )


@require_POST
def resend_identifiers(request, pk: int, account: int):
    _require(can_manage_deposit_identifiers, request.user)
    target = get_object_or_404(DepositAccount, pk=account, organisation_id=pk)
    if deposit_services.notify_identifiers(
        account=target, by=request.user, site_url=site_url(request)
    ):
        messages.success(request, "Identifiants renvoyés aux gestionnaires.")
    else:
        messages.error(request, "L'organisme n'a pas encore de gestionnaire.")
    return redirect("instruction:organisation", pk=pk)
