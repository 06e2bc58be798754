"""The certifier space: the organisations a user belongs to, their members and deposit rights.

Every organisation-owned object is reached through the organisation, which is fetched for
the signed-in user with the right the page needs (`organisations.perms.access`): another
organisation's pages, or an action the user's role does not allow, answer 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from opencertif.deposits import services as deposit_services
from opencertif.deposits.models import Delegation, DepositAccount
from opencertif.organisations import perms, services
from opencertif.organisations.enums import JoinRequestState, Role
from opencertif.organisations.models import Invitation, Membership
from opencertif.organisations.perms import Right
from opencertif.www.accounts.links import site_url
from opencertif.www.espace import requests as holder_requests
from opencertif.www.espace.forms import ActivationForm, InvitationAcceptForm, InviteForm, ReasonForm
from opencertif.www.forms import DsfrForm


def home(request):
    memberships = (
        Membership.objects.visible_to(request.user)
        .filter(user=request.user)
        .select_related("organisation")
    )
    return render(
        request,
        "espace/home.html",
        {"memberships": memberships, "open_requests": holder_requests.open_count(request.user)},
    )


# The members' table lists managers first, then members, then readers.
_ROLE_ORDER = {role: index for index, role in enumerate(Role.values)}


def organisation(request, pk: int):
    access = perms.access(request.user, pk, Right.SEE)
    org = access.organisation
    members = sorted(
        org.memberships.select_related("user"),
        key=lambda m: (_ROLE_ORDER.get(m.role, len(_ROLE_ORDER)), m.user.last_name),
    )
    context = {
        "organisation": org,
        "access": access,
        "members": members,
        "roles": Role.choices,
        "manager_count": sum(1 for m in members if m.role == Role.MANAGER),
    }
    if access.has(Right.MANAGE_MEMBERS):
        context.update(
            {
                "join_requests": org.join_requests.filter(
                    state=JoinRequestState.PENDING
                ).select_related("user"),
                "invitations": org.invitations.open(),
                "invite_form": InviteForm(),
            }
        )
    if access.has(Right.SEE_DOCUMENTS):
        context["documents"] = org.documents.all()
    return render(request, "espace/organisation.html", context)


@require_POST
def change_role(request, pk: int, member: int):
    org = perms.access(request.user, pk, Right.MANAGE_MEMBERS).organisation
    target = perms.fetch(org.memberships, "Membre introuvable.", pk=member)
    role = request.POST.get("role")
    if role not in Role.values:
        raise Http404
    try:
        services.change_role(membership=target, role=role, by=request.user)
    except services.LastManagerError:
        messages.error(
            request,
            "L'organisme doit garder au moins un gestionnaire : nommez-en un autre avant.",
        )
    else:
        messages.success(request, f"{target.user} est désormais {Role(role).label.lower()}.")
    return redirect("espace:organisation", pk=org.pk)


def remove_member(request, pk: int, member: int):
    org = perms.access(request.user, pk, Right.MANAGE_MEMBERS).organisation
    target = perms.fetch(org.memberships.select_related("user"), "Membre introuvable.", pk=member)
    if request.method == "POST":
        try:
            services.remove_member(membership=target, by=request.user)
        except services.LastManagerError:
            messages.error(
                request,
                "L'organisme doit garder au moins un gestionnaire : nommez-en un autre avant.",
            )
        else:
            messages.success(request, f"{target.user} ne fait plus partie de l'organisme.")
            if target.user == request.user:
                return redirect("espace:home")
        return redirect("espace:organisation", pk=org.pk)
    return render(request, "espace/confirm_remove.html", {"organisation": org, "target": target})


@require_POST
def invite(request, pk: int):
    org = perms.access(request.user, pk, Right.MANAGE_MEMBERS).organisation
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invite(
                organisation=org,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
                site_url=site_url(request),
            )
        except services.AlreadyMember:
            messages.error(request, "Cette personne fait déjà partie de l'organisme.")
        else:
            messages.success(
                request,
                f"Invitation envoyée à {form.cleaned_data['email']} (valable "
                f"{services.INVITATION_DAYS} jours).",
            )
    else:
        messages.error(request, "Adresse électronique invalide : vérifiez la saisie.")
    return redirect("espace:organisation", pk=org.pk)


@require_POST
def cancel_invitation(request, pk: int, invitation: int):
    org = perms.access(request.user, pk, Right.MANAGE_MEMBERS).organisation
    target = perms.fetch(org.invitations.open(), "Invitation introuvable.", pk=invitation)
    services.cancel_invitation(invitation=target, by=request.user)
    messages.success(request, f"Invitation de {target.email} annulée.")
    return redirect("espace:organisation", pk=org.pk)


def _pending_join(request, pk: int, join: int):
    org = perms.access(request.user, pk, Right.MANAGE_MEMBERS).organisation
    target = perms.fetch(
        org.join_requests.select_related("user").filter(state=JoinRequestState.PENDING),
        "Demande introuvable.",
        pk=join,
    )
    return org, target


@require_POST
def accept_join(request, pk: int, join: int):
    org, target = _pending_join(request, pk, join)
    services.accept_join_request(join_request=target, by=request.user, site_url=site_url(request))
    messages.success(
        request, f"{target.user} a rejoint l'organisme ; son identifiant lui a été envoyé."
    )
    return redirect("espace:organisation", pk=org.pk)


def refuse_join(request, pk: int, join: int):
    org, target = _pending_join(request, pk, join)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.refuse_join_request(
            join_request=target, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "Demande refusée ; le demandeur en a été informé.")
        return redirect("espace:organisation", pk=org.pk)
    return render(
        request, "espace/refuse_join.html", {"organisation": org, "target": target, "form": form}
    )


def document(request, pk: int, document: int):
    """A supporting document: to the organisation's managers and to staff only."""
    org = perms.access(request.user, pk, Right.SEE_DOCUMENTS).organisation
    doc = perms.fetch(org.documents, "Document introuvable.", pk=document)
    return _file_response(doc)


def _file_response(doc) -> FileResponse:
    response = FileResponse(
        default_storage.open(doc.path, "rb"),
        content_type=doc.content_type,
        as_attachment=True,
        filename=doc.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
def invitation(request, token: str):
    target = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
    if not target.is_open:
        return render(request, "espace/invitation_closed.html", {"invitation": target}, status=410)
    existing = services.User.objects.filter(email__iexact=target.email).first()
    if existing is not None:
        if not request.user.is_authenticated:
            return render(request, "espace/invitation_login.html", {"invitation": target})
        if request.user != existing:
            return render(
                request, "espace/invitation_wrong_user.html", {"invitation": target}, status=403
            )
        if request.method == "POST":
            services.accept_invitation(invitation=target, user=request.user)
            messages.success(request, f"Vous avez rejoint {target.organisation}.")
            return redirect("espace:organisation", pk=target.organisation_id)
        return render(request, "espace/invitation_confirm.html", {"invitation": target})
    form = InvitationAcceptForm(request.POST or None, email=target.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        membership = services.accept_invitation(
            invitation=target,
            first_name=data["first_name"],
            last_name=data["last_name"],
            password=data["password1"],
            site_url=site_url(request),
        )
        login(
            request,
            membership.user,
            backend="opencertif.accounts.backends.EmailOrIdentifierBackend",
        )
        messages.success(
            request,
            f"Bienvenue ! Vous avez rejoint {target.organisation}. Votre identifiant de "
            f"connexion, {membership.user.identifier}, vous a aussi été envoyé par courriel.",
        )
        return redirect("espace:organisation", pk=target.organisation_id)
    return render(request, "espace/invitation_accept.html", {"invitation": target, "form": form})


def deposit_rights(request, pk: int):
    access = perms.access(request.user, pk, Right.SEE_DEPOSIT_RIGHTS)
    org = access.organisation
    accounts = DepositAccount.objects.visible_to(request.user).filter(organisation=org)
    delegations = Delegation.objects.active().visible_to(request.user)
    given = delegations.filter(certifier__organisation=org).select_related(
        "depositor__organisation"
    )
    received = delegations.filter(depositor__organisation=org).select_related(
        "certifier__organisation"
    )
    form = ActivationForm(request.POST or None)
    if request.method == "POST":
        if not access.has(Right.CHANGE_DEPOSIT_RIGHTS):
            raise perms.NotFound("Organisme introuvable.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                delegations = deposit_services.activate(
                    organisation=org,
                    situation=data["situation"],
                    by=request.user,
                    id_client=data["id_client"],
                    id_contract=data["id_contract"],
                    depositor_id_client=data["depositor_id_client"],
                    certifier_id_clients=data["certifier_list"],
                    site_url=site_url(request),
                )
            except deposit_services.IdentifierError as exc:
                form.add_error(None, str(exc))
            else:
                text = "Droits de dépôt activés."
                if delegations:
                    names = ", ".join(str(d.certifier.organisation) for d in delegations)
                    text += f" Vous pouvez déposer pour : {names}."
                messages.success(request, text)
                return redirect("espace:deposit_rights", pk=org.pk)
    return render(
        request,
        "espace/deposit_rights.html",
        {
            "organisation": org,
            "access": access,
            "accounts": accounts,
            "given": given,
            "received": received,
            "form": form,
        },
    )


@require_POST
def revoke_delegation(request, pk: int, delegation: int):
    org = perms.access(request.user, pk, Right.CHANGE_DEPOSIT_RIGHTS).organisation
    target = perms.fetch(
        Delegation.objects.active()
        .editable_by(request.user)
        .filter(Q(certifier__organisation=org) | Q(depositor__organisation=org)),
        "Délégation introuvable.",
        pk=delegation,
    )
    deposit_services.revoke_delegation(delegation=target, by=request.user)
    messages.success(request, "Délégation révoquée.")
    return redirect("espace:deposit_rights", pk=org.pk)


class TokenForm(DsfrForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour le reconnaître : le logiciel ou le serveur qui l'utilise.",
    )


def api_tokens(request, pk: int):
    """The organisation's API tokens (managers): create one (shown once), revoke."""
    access = perms.access(request.user, pk, Right.SEE_API_TOKENS)
    org = access.organisation
    if request.method == "POST" and not access.has(Right.CHANGE_API_TOKENS):
        raise perms.NotFound("Organisme introuvable.")
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        token, secret = services.create_api_token(
            organisation=org, name=form.cleaned_data["name"], by=request.user
        )
        form = TokenForm()
    return render(
        request,
        "espace/api_tokens.html",
        {
            "organisation": org,
            "access": access,
            "tokens": org.api_tokens.all(),
            "form": form,
            "secret": secret,
        },
    )


@require_POST
def revoke_api_token(request, pk: int, token: int):
    org = perms.access(request.user, pk, Right.CHANGE_API_TOKENS).organisation
    target = perms.fetch(org.api_tokens.active(), "Jeton introuvable.", pk=token)
    services.revoke_api_token(token=target, by=request.user)
    messages.success(request, f"Jeton « {target.name} » révoqué : il ne donne plus accès à l'API.")
    return redirect("espace:api_tokens", pk=org.pk)
