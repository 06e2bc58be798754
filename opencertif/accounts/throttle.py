"""Rate limits for anonymous actions (the join form): N attempts per hour per key.

Attempts are rows of ThrottleHit under a keyed hash, so every server process counts the
same ones and the table holds no IP address, email or SIRET in clear."""

import datetime
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opencertif.accounts.models import ThrottleHit

WINDOW = datetime.timedelta(hours=1)


def key_for(scope: str, value: str) -> str:
    text = f"{settings.SECRET_KEY}:throttle:{scope}:{(value or '').strip().lower()}"
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def hit(keys: dict[str, int]) -> bool:
    """Count one attempt under every key (a key → its hourly limit).

    Returns False, and counts nothing, when one of the keys has reached its limit: a
    refused attempt does not extend the wait, and the table stays bounded."""
    now = timezone.now()
    since = now - WINDOW
    ThrottleHit.objects.filter(at__lt=since).delete()
    for key, limit in keys.items():
        if ThrottleHit.objects.filter(key=key, at__gte=since).count() >= limit:
            return False
    ThrottleHit.objects.bulk_create([ThrottleHit(key=key, at=now) for key in keys])
    return True
