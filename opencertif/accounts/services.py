"""« Mon compte »: a signed-in person changes their password or their email address.

The new address is proven by a signed link sent to it (24 hours, single use); until it is
clicked the account keeps its address. The account's address is told of every change.
Audit entries name the account by its id, never by an address."""

import hashlib

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from opencertif.accounts import tokens
from opencertif.core import audit, mail

EMAIL_CHANGE_SALT = "opencertif.email-change"
EMAIL_CHANGE_MAX_AGE = 24 * 3600

User = get_user_model()


class InvalidLink(Exception):
    """The link is forged, expired (`expired`) or replaced by a later request."""

    def __init__(self, *, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class WrongAccount(Exception):
    """The link was sent for another account than the signed-in one."""


class EmailTaken(Exception):
    """Another account uses that address."""


def mask_email(email: str) -> str:
    """`c***@exemple.fr`: enough for its owner to recognise it, not to read it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


@transaction.atomic
def change_password(*, user, password: str, site_url: str | None = None) -> None:
    """Set a new password (the caller has checked the current one), audit it and tell the
    account's address. Other sessions end with it: Django ties a session to the password
    hash; the web layer keeps the current one."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=user, action="user.password_changed", obj=user)
    mail.send(to=user.email, template="password_changed", context={"user": user}, site_url=site_url)


def _email_state(user) -> str:
    # A link is good only for the account's state it was made in: once the address
    # changes, or a later request replaces the pending one, older links stop working.
    text = f"{user.pk}|{user.email}|{user.pending_email}|{user.email_verified_at}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def email_change_token(user) -> str:
    return signing.dumps({"u": user.pk, "s": _email_state(user)}, salt=EMAIL_CHANGE_SALT)


def _email_used_by_another(email: str, user) -> bool:
    return User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()


@transaction.atomic
def request_email_change(*, user, new_email: str, site_url: str | None = None) -> None:
    """Mail a confirmation link to `new_email` and a notice to the current address.

    The same answer whether or not the address is free: when another account uses it,
    the mail sent there says so and nothing changes."""
    new_email = User.objects.normalize_email(new_email.strip()).lower()
    taken = _email_used_by_another(new_email, user)
    if taken:
        mail.send(to=new_email, template="email_change_taken", context={}, site_url=site_url)
    else:
        user.pending_email = new_email
        user.save(update_fields=["pending_email"])
        mail.send(
            to=new_email,
            template="email_change_confirm",
            context={"user": user, "token": email_change_token(user)},
            site_url=site_url,
        )
    mail.send(
        to=user.email,
        template="email_change_requested",
        context={"user": user, "masked": mask_email(new_email)},
        site_url=site_url,
    )
    audit.record(
        actor=user,
        action="user.email_change_requested",
        obj=user,
        changes={"address_taken": taken},
    )


def check_email_change(*, user, token: str) -> str:
    """The address the link confirms for `user`, or an exception saying why not:
    InvalidLink (forged, expired, replaced), WrongAccount, tokens.LinkAlreadyUsed."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidLink(expired=True) from exc
    except signing.BadSignature as exc:
        raise InvalidLink() from exc
    if data.get("u") != user.pk:
        raise WrongAccount()
    if tokens.is_spent(token):
        raise tokens.LinkAlreadyUsed("email_change")
    if not user.pending_email or data.get("s") != _email_state(user):
        raise InvalidLink()
    return user.pending_email


@transaction.atomic
def confirm_email_change(*, user, token: str, site_url: str | None = None) -> None:
    """The link was clicked by its account: the new address replaces the old one, which
    is told. Raises what check_email_change raises, or EmailTaken."""
    user = User.objects.select_for_update().get(pk=user.pk)
    new_email = check_email_change(user=user, token=token)
    if _email_used_by_another(new_email, user):
        raise EmailTaken(new_email)
    tokens.spend(token, purpose="email_change")
    old_email = user.email
    user.email, user.pending_email, user.email_verified_at = new_email, "", timezone.now()
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "pending_email", "email_verified_at"])
    except IntegrityError as exc:
        raise EmailTaken(new_email) from exc
    audit.record(actor=user, action="user.email_changed", obj=user)
    mail.send(
        to=old_email,
        template="email_changed",
        context={"user": user, "masked": mask_email(new_email)},
        site_url=site_url,
    )
