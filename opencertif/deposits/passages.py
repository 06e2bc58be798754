"""Looking after deposited passages: modify, delete, restore, purge.

Every change goes through the same rules as a deposit (opencertif.deposits.assess), is
written in one transaction with a PassageEvent (the passage's own history, with before and
after values) and an AuditEntry (who, what, when: field names only, never values).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opencertif.deposits.enums import PassageEventKind, PassageStatus
from opencertif.deposits.models import Passage, PassageEvent

PURGE_BATCH = 1000


def restore_deadline(deleted_at: datetime.datetime) -> datetime.datetime:
    return deleted_at + datetime.timedelta(days=settings.PASSAGE_RESTORE_DAYS)


def purge_deleted(*, now=None) -> int:
    """Erase the content of passages deleted more than PASSAGE_RESTORE_DAYS ago; only their
    key (certifier, idTechnique) and certification remain. Return how many were purged."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.PASSAGE_RESTORE_DAYS)
    purged = 0
    while True:
        ids = list(
            Passage.objects.filter(
                status=PassageStatus.DELETED, deleted_at__lt=limit, purged_at__isnull=True
            ).values_list("pk", flat=True)[:PURGE_BATCH]
        )
        if not ids:
            return purged
        with transaction.atomic():
            Passage.objects.filter(pk__in=ids, purged_at__isnull=True).update(
                fields={},
                identity={},
                holder_label="",
                person=None,
                valid_from=None,
                valid_until=None,
                ko_message="",
                purged_at=now,
                updated_at=now,
            )
            PassageEvent.objects.bulk_create(
                PassageEvent(passage_id=pk, kind=PassageEventKind.PURGED, actor_label="système")
                for pk in ids
            )
        purged += len(ids)
