"""Organisation accounts: sign-up requests, their validation by staff, members and roles."""

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from opencertif.accounts.perms import ACCOUNT_VALIDATION
from opencertif.accounts.tokens import activation_token
from opencertif.core import audit, mail
from opencertif.core.files import check_document, store_private
from opencertif.organisations.enums import (
    AccountRequestState,
    JoinRequestState,
    Role,
)
from opencertif.organisations.models import (
    AccountRequest,
    ApiToken,
    Document,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
)

INVITATION_DAYS = 7
MANDATE_MAX_AGE_DAYS = 92  # "moins de 3 mois"

User = get_user_model()


class EmailPendingActivation(Exception):
    """A request with this email waits for its activation link: offer to resend it."""

    def __init__(self, user):
        super().__init__("activation pending")
        self.user = user


class EmailAlreadyUsed(Exception):
    """An active account already uses this email."""


class LastManagerError(Exception):
    """An organisation must keep at least one manager."""


class AlreadyMember(Exception):
    """The person is already a member of the organisation."""


def mandate_date_problem(value: datetime.date, *, today: datetime.date | None = None) -> str:
    """Why a mandate date is not acceptable, or '' when it is."""
    today = today or timezone.localdate()
    if value > today:
        return "La date de la délégation ne peut pas être dans le futur."
    if (today - value).days > MANDATE_MAX_AGE_DAYS:
        return (
            "La délégation de mandat doit dater de moins de 3 mois : faites-en signer une "
            "nouvelle par le représentant légal."
        )
    return ""


@transaction.atomic
def save_document(*, account_request: AccountRequest, kind: str, upload, by=None) -> Document:
    """Check and store a supporting document, replacing the previous one of the same kind."""
    content_type, extension = check_document(upload)
    path, digest = store_private(upload, folder="documents", extension=extension)
    for old in account_request.documents.filter(kind=kind):
        old_path = old.path
        old.delete()
        transaction.on_commit(lambda p=old_path: default_storage.delete(p))
    return Document.objects.create(
        kind=kind,
        account_request=account_request,
        path=path,
        original_name=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        sha256=digest,
        uploaded_by=by if getattr(by, "pk", None) else None,
    )


def send_activation(*, user, site_url: str | None = None) -> None:
    """(Re)send the email-activation link (the template builds it from the user's id and
    a token; `site_url` is the address of the page that asked, SITE_URL by default)."""
    mail.send(
        to=user.email,
        template="activation",
        context={
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": activation_token.make_token(user),
        },
        site_url=site_url,
    )


def _check_email_free(email: str, *, allowed_user=None) -> None:
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None or existing == allowed_user:
        return
    if not existing.is_active and existing.email_verified_at is None:
        raise EmailPendingActivation(existing)
    raise EmailAlreadyUsed(email)


def _new_inactive_user(*, email, first_name, last_name, phone, job_title, password):
    return User.objects.create_user(
        email,
        password,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        job_title=job_title,
        is_active=False,
    )


@transaction.atomic
def register_requester(
    *,
    account_request: AccountRequest,
    email: str,
    first_name: str,
    last_name: str,
    phone: str,
    job_title: str,
    password: str,
    site_url: str | None = None,
) -> User:
    """Step 4 of the sign-up: the requester's identity. Creates the (inactive) account and
    sends the activation link. Raises EmailPendingActivation / EmailAlreadyUsed."""
    email = email.strip().lower()
    _check_email_free(email, allowed_user=account_request.user)
    user = account_request.user
    if user is None:
        user = _new_inactive_user(
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            job_title=job_title,
            password=password,
        )
    else:
        user.email, user.first_name, user.last_name = email, first_name, last_name
        user.phone, user.job_title = phone, job_title
        user.set_password(password)
        user.save()
    account_request.submit_requester(user=user, step=max(account_request.step, 4), by=None)
    audit.record(
        actor=None,
        action="account_request.requester",
        obj=account_request,
        actor_label="demandeur",
        summary=f"compte utilisateur n° {user.pk} créé",
    )
    send_activation(user=user, site_url=site_url)
    return user


def user_from_activation(uidb64: str, token: str):
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None or not activation_token.check_token(user, token):
        return None
    return user


def staff_validators() -> list[str]:
    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=ACCOUNT_VALIDATION)
        .values_list("email", flat=True)
        .distinct()
    )


@transaction.atomic
def activate_email(*, user, site_url: str | None = None) -> AccountRequest | JoinRequest | None:
    """The requester clicked the activation link: pass the request on to whoever decides."""
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    account_request = user.account_requests.filter(
        state=AccountRequestState.AWAITING_ACTIVATION
    ).first()
    if account_request is not None:
        account_request.confirm_email(by=user)
        mail.send(
            to=user.email,
            template="request_received",
            context={"user": user, "request": account_request},
            site_url=site_url,
        )
        mail.send(
            to=staff_validators(),
            template="staff_new_request",
            context={"request": account_request},
            site_url=site_url,
        )
        return account_request
    join_request = user.join_requests.filter(state=JoinRequestState.AWAITING_ACTIVATION).first()
    if join_request is not None:
        join_request.confirm_email(by=user)
        mail.send(
            to=join_request.organisation.manager_emails(),
            template="join_request_new",
            context={"join_request": join_request},
            site_url=site_url,
        )
        mail.send(
            to=user.email,
            template="join_request_received",
            context={"join_request": join_request},
            site_url=site_url,
        )
        return join_request
    return None


def _welcome(user, organisation: Organisation, site_url: str | None) -> None:
    mail.send(
        to=user.email,
        template="account_validated",
        context={"user": user, "organisation": organisation},
        site_url=site_url,
    )


@transaction.atomic
def accept_account_request(
    *, account_request: AccountRequest, by, site_url: str | None = None
) -> Organisation:
    """Staff accept: the organisation gets its account and the requester becomes its first
    manager. An organisation already known by its SIRET (e.g. a registry certifier) is
    reused, keeping the names the registry gives it."""
    organisation = None
    if account_request.siret:
        organisation = Organisation.objects.filter(siret=account_request.siret).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            siret=account_request.siret or None,
            name=account_request.name,
            commercial_name=account_request.commercial_name,
            name_key=Organisation.key_for(account_request.name),
        )
    organisation.kind = account_request.kind
    organisation.legal_form = organisation.legal_form or account_request.legal_form
    organisation.address = account_request.address or organisation.address
    organisation.postal_code = account_request.postal_code or organisation.postal_code
    organisation.city = account_request.city or organisation.city
    organisation.save()
    account_request.documents.update(organisation=organisation)
    user = account_request.user
    Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": Role.MANAGER}
    )
    user.is_active = True
    user.save(update_fields=["is_active"])
    account_request.accept(by=by, organisation=organisation)
    audit.record(
        actor=by,
        action="account_request.accepted",
        obj=account_request,
        summary=f"organisme n° {organisation.pk}, gestionnaire n° {user.pk}",
    )
    audit.record(
        actor=by,
        action="membership.created",
        obj=organisation,
        changes={"user": user.pk, "role": Role.MANAGER},
    )
    _welcome(user, organisation, site_url)
    return organisation


@transaction.atomic
def reject_account_request(
    *, account_request: AccountRequest, by, reason: str, site_url: str | None = None
) -> None:
    """Staff reject, with the reason sent to the requester."""
    account_request.reject(by=by, reason=reason)
    audit.record(
        actor=by, action="account_request.rejected", obj=account_request, summary=reason[:200]
    )
    mail.send(
        to=account_request.user.email,
        template="request_rejected",
        context={"request": account_request, "reason": reason},
        site_url=site_url,
    )


@transaction.atomic
def request_to_join(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    phone: str,
    job_title: str,
    password: str,
    message: str = "",
    site_url: str | None = None,
) -> JoinRequest:
    """Someone asks to join an organisation that already has an account. The request goes
    to its managers once the email address is confirmed."""
    email = email.strip().lower()
    _check_email_free(email)
    user = _new_inactive_user(
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        job_title=job_title,
        password=password,
    )
    join_request = JoinRequest.objects.create(user=user, organisation=organisation, message=message)
    audit.record(
        actor=None,
        action="join_request.created",
        obj=join_request,
        actor_label="demandeur",
        summary=f"organisme n° {organisation.pk}",
    )
    send_activation(user=user, site_url=site_url)
    return join_request


@transaction.atomic
def ask_to_join(
    *,
    siret: str,
    email: str,
    first_name: str,
    last_name: str,
    phone: str,
    job_title: str,
    password: str,
    message: str = "",
    site_url: str | None = None,
) -> None:
    """The anonymous join form: someone asks to join the organisation with this SIRET.

    Whatever exists, the outcome has one shape — one password hash, one mail to `email`,
    nothing returned — so the page cannot tell whether the organisation has an account or
    the address one; only the mailbox's owner learns which case it was:
    - an organisation with an account and a new address: a JoinRequest and its
      activation link (see request_to_join);
    - an address still awaiting activation: its activation link again;
    - the address of an account: a mail saying to sign in and ask for an invitation;
    - no organisation with an account under that SIRET: a mail saying so.
    """
    email = email.strip().lower()
    organisation = Organisation.objects.with_account().filter(siret=siret).first()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None and organisation is not None:
        request_to_join(
            organisation=organisation,
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            job_title=job_title,
            password=password,
            message=message,
            site_url=site_url,
        )
        return
    # The cost of the account the other branch creates.
    make_password(password)
    if existing is not None and not existing.is_active and existing.email_verified_at is None:
        send_activation(user=existing, site_url=site_url)
    elif existing is not None:
        mail.send(to=email, template="join_existing_account", context={}, site_url=site_url)
    else:
        mail.send(
            to=email,
            template="join_unknown_siret",
            context={"siret": siret},
            site_url=site_url,
        )


@transaction.atomic
def accept_join_request(
    *, join_request: JoinRequest, by, site_url: str | None = None
) -> Membership:
    join_request.accept(by=by)
    user = join_request.user
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=join_request.organisation, defaults={"role": Role.MEMBER}
    )
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        actor=by,
        action="membership.created",
        obj=join_request.organisation,
        changes={"user": user.pk, "role": membership.role, "via": "join_request"},
    )
    _welcome(user, join_request.organisation, site_url)
    return membership


@transaction.atomic
def refuse_join_request(*, join_request: JoinRequest, by, reason: str) -> None:
    join_request.refuse(by=by, reason=reason)
    audit.record(actor=by, action="join_request.refused", obj=join_request, summary=reason[:200])
    mail.send(
        to=join_request.user.email,
        template="join_request_refused",
        context={"join_request": join_request, "reason": reason},
    )


@transaction.atomic
def invite(
    *, organisation: Organisation, email: str, role: str, by, site_url: str | None = None
) -> Invitation:
    """A manager invites a colleague by email; the link is valid INVITATION_DAYS days."""
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise AlreadyMember(email)
    organisation.invitations.open().filter(email__iexact=email).update(cancelled_at=timezone.now())
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    audit.record(
        actor=by,
        action="invitation.sent",
        obj=organisation,
        changes={"invitation": invitation.pk, "role": role},
    )
    mail.send(
        to=email,
        template="invitation",
        context={"invitation": invitation},
        site_url=site_url,
    )
    return invitation


@transaction.atomic
def cancel_invitation(*, invitation: Invitation, by) -> None:
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    audit.record(
        actor=by,
        action="invitation.cancelled",
        obj=invitation.organisation,
        changes={"invitation": invitation.pk},
    )


@transaction.atomic
def accept_invitation(
    *,
    invitation: Invitation,
    user=None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
    site_url: str | None = None,
) -> Membership:
    """The invitee joins: with their existing (signed-in) account, or a new one created
    here, active at once since the link proves the address."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValueError("Cette invitation n'est plus valable.")
    if user is None:
        _check_email_free(invitation.email)
        user = User.objects.create_user(
            invitation.email,
            password,
            first_name=first_name,
            last_name=last_name,
            email_verified_at=timezone.now(),
        )
        _welcome(user, invitation.organisation, site_url)
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=user,
        action="membership.created",
        obj=invitation.organisation,
        changes={"user": user.pk, "role": membership.role, "via": "invitation"},
    )
    return membership


def _lock_managers(organisation: Organisation) -> int:
    return (
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Role.MANAGER)
        .count()
    )


@transaction.atomic
def change_role(*, membership: Membership, role: str, by) -> None:
    """Give a member another role (manager, member, reader); the organisation's last
    manager keeps theirs."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return
    if membership.role == Role.MANAGER and _lock_managers(membership.organisation) <= 1:
        raise LastManagerError()
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        actor=by,
        action="membership.role_changed",
        obj=membership.organisation,
        changes={"user": membership.user_id, "before": before, "after": role},
    )


@transaction.atomic
def remove_member(*, membership: Membership, by) -> None:
    """Remove someone from the organisation (never its last manager)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.MANAGER and _lock_managers(membership.organisation) <= 1:
        raise LastManagerError()
    organisation, user = membership.organisation, membership.user
    membership.delete()
    audit.record(
        actor=by,
        action="membership.removed",
        obj=organisation,
        changes={"user": user.pk, "role": membership.role},
    )
    mail.send(
        to=user.email,
        template="member_removed",
        context={"user": user, "organisation": organisation},
    )


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, organisation: Organisation, name: str, by) -> tuple[ApiToken, str]:
    """A new API token; returns it with its secret, which is not stored and shown once."""
    secret = "oc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name[:100],
        prefix=secret[:10],
        key_hash=_hash_token(secret),
        created_by=by,
    )
    audit.record(
        actor=by,
        action="api_token.created",
        obj=organisation,
        changes={"token": token.pk, "name": token.name},
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=by, action="api_token.revoked", obj=token.organisation, changes={"token": token.pk}
    )


def organisation_for_token(secret: str) -> tuple[Organisation, ApiToken] | None:
    """The organisation an API secret belongs to, or None (unknown or revoked)."""
    token = (
        ApiToken.objects.active()
        .select_related("organisation")
        .filter(key_hash=_hash_token(secret or ""))
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.organisation, token
