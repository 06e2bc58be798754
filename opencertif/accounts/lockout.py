"""Lock-out keys and self-service unlock.

Attempts are counted per account whatever the login typed (email or identifier), under
a hash: the attempts table never holds an email address.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing

from opencertif.accounts import tokens
from opencertif.core import audit

UNLOCK_SALT = "opencertif.unlock"
UNLOCK_MAX_AGE = 24 * 3600


def canonical_login(login: str) -> str:
    """The account's email when the login names an account, else the folded login."""
    login = (login or "").strip()
    user_model = get_user_model()
    if "@" in login:
        return login.lower()
    user = user_model.objects.filter(identifier=login.upper()).only("email").first()
    return user.email.lower() if user else login.upper()


def key_for(login: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{canonical_login(login)}".encode())
    return "h:" + digest.hexdigest()[:40]


def attempt_key(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the key under which failed attempts are counted."""
    login = ""
    if credentials:
        login = credentials.get("username") or ""
        if not login:
            # A holder coming back from their identity provider: no password to guess,
            # nothing to count (counting under one empty key would lock every holder out).
            return None
    elif request is not None and request.method == "POST":
        login = request.POST.get("username", "")
    return key_for(login)


def unlock_token(user) -> str:
    # The nonce makes every mailed link distinct, so spending one never spends another.
    return signing.dumps({"u": user.pk, "n": secrets.token_urlsafe(6)}, salt=UNLOCK_SALT)


def user_from_unlock_token(token: str):
    """The user the link was sent to, or None when the link is forged or expired."""
    try:
        data = signing.loads(token, salt=UNLOCK_SALT, max_age=UNLOCK_MAX_AGE)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=data.get("u")).first()


def redeem_unlock_token(token: str):
    """Spend an unlock link: the user it was sent to, or None when it is forged or expired.

    Raises tokens.LinkAlreadyUsed on a second use. The caller lifts the lock-out."""
    user = user_from_unlock_token(token)
    if user is None:
        return None
    tokens.spend(token, purpose="unlock")
    audit.record(actor=user, action="user.unlocked", obj=user, summary="lien de déblocage")
    return user
