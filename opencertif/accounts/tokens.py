"""Links mailed to people: email activation, unlock, email change.

An activation token dies once the state it hashes changes. Signed links (unlock, email
change) expire by their signature's age and are spent once (SpentLink), so that a second
click can say the link was already used."""

import datetime
import hashlib

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.utils import timezone

from opencertif.accounts.models import SpentLink

# Spent links are kept a little longer than the longest-lived signed link.
SPENT_LINK_KEEP = datetime.timedelta(days=2)


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "opencertif.accounts.activation"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_verified_at}{timestamp}"


activation_token = ActivationTokenGenerator()


class LinkAlreadyUsed(Exception):
    """The single-use link has already served."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_spent(token: str) -> bool:
    return SpentLink.objects.filter(digest=_digest(token)).exists()


def spend(token: str, *, purpose: str) -> None:
    """Mark a single-use link as used; raises LinkAlreadyUsed when it already was.

    The unique digest makes two simultaneous clicks count as one use and one refusal."""
    SpentLink.objects.filter(used_at__lt=timezone.now() - SPENT_LINK_KEEP).delete()
    try:
        with transaction.atomic():
            SpentLink.objects.create(digest=_digest(token), purpose=purpose)
    except IntegrityError as exc:
        raise LinkAlreadyUsed(purpose) from exc
