"""Holders' sign-in through OpenID Connect (FranceConnect's claims), with
mozilla-django-oidc: the library runs the authorisation-code flow (state, nonce, the token
exchange, the ID token's signature); this backend hands the claims to
`identity.sign_in_holder`, which finds or creates the holder and matches their identity.
"""

import logging

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from opencertif.passports.identity import sign_in_holder

logger = logging.getLogger(__name__)

REQUIRED_SETTINGS = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
)


def is_configured() -> bool:
    """Whether the identity provider is configured (its endpoints and our client's
    credentials; its keys' endpoint too when ID tokens are signed with a public key)."""
    names = list(REQUIRED_SETTINGS)
    if not getattr(settings, "OIDC_RP_SIGN_ALGO", "RS256").startswith("HS"):
        names.append("OIDC_OP_JWKS_ENDPOINT")
    return all(getattr(settings, name, "") for name in names)


class HolderOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates holders coming back from the identity provider: the user is the
    holder's account for the provider's subject (`sub`), created on first sign-in; every
    sign-in matches the identity again. Never links to an existing account by email."""

    def authenticate(self, request, **kwargs):
        # Only the callback's call (it passes the nonce kept in the session): never a
        # login form's, even one posted to a URL carrying a code and a state.
        if request is None or "nonce" not in kwargs or not is_configured():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, ValueError) as exc:
            # A replayed or expired code, a provider that does not answer, a token whose
            # signature, nonce or audience is wrong: the sign-in fails, the page says so.
            # The exception's class only: its text may carry the provider's answer.
            logger.warning("Connexion d'un titulaire refusée : %s", type(exc).__name__)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # The library leaves the audience unchecked: an ID token issued to another
        # client of the same provider must not sign in here.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token issued to another client.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: the user info must be about the ID token's subject.
        if not claims.get("sub") or claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("User info about another subject than the ID token.")
        return claims

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        return get_user_model().objects.filter(holder__subject=claims["sub"])

    def create_user(self, claims):
        return sign_in_holder(subject=claims["sub"], claims=claims).user

    def update_user(self, user, claims):
        return sign_in_holder(subject=claims["sub"], claims=claims).user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
