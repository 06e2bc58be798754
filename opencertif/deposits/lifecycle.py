"""The functions that change a passage's status, beside the model: delete (one passage, the
passages named by a SUPPRESSION file, the passages of a mass deletion), restore, purge,
and identify again after the reference population changed.

The engine, the care services and the mass deletions of the passages app call them, for
a passage's status is this app's to write: the passages app sits above it. (The engine's
upsert and a modification also set the status a deposit's rules give: `assess` decides
it.) Deleting or restoring one passage writes, in one transaction, a PassageEvent (its
history) and an AuditEntry; a mass deletion writes a PassageEvent per passage (its
BulkDeletion is audited); a SUPPRESSION file writes none yet (its deposit's results say
what it deleted).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from opencertif.core import audit
from opencertif.deposits.enums import KoReason, PassageEventKind, PassageStatus
from opencertif.deposits.models import Deposit, DepositAccount, Passage, PassageEvent, PassageResult
from opencertif.people import identity

PURGE_BATCH = 1000
REEXAMINE_BATCH = 1000


# ------------------------------------------------------------------ one passage


class PassageError(ValueError):
    """A change that cannot be made; the message says why and what to do."""


def restore_deadline(deleted_at: datetime.datetime) -> datetime.datetime:
    return deleted_at + datetime.timedelta(days=settings.PASSAGE_RESTORE_DAYS)


def can_restore(passage: Passage, *, now=None) -> bool:
    now = now or timezone.now()
    return (
        passage.status == PassageStatus.DELETED
        and passage.purged_at is None
        and passage.deleted_at is not None
        and restore_deadline(passage.deleted_at) > now
        and passage.status_before_deletion in (PassageStatus.OK, PassageStatus.KO)
    )


def actor_label_of(by, actor_label: str = "") -> str:
    """How the history names who acted: the given label (an API token), else the user,
    else the system."""
    return actor_label or (str(by) if getattr(by, "pk", None) else "système")


@transaction.atomic
def delete(*, passage: Passage, by, reason: str, actor_label: str = "") -> None:
    """Delete a passage: it leaves the holder's passport at once and can be restored for
    PASSAGE_RESTORE_DAYS days. `actor_label` names a non-human actor (an API token)."""
    reason = (reason or "").strip()
    if not reason:
        raise PassageError("Indiquez le motif de la suppression.")
    current = Passage.objects.select_for_update().get(pk=passage.pk)
    if current.status == PassageStatus.DELETED:
        raise PassageError("Ce passage est déjà supprimé.")
    now = timezone.now()
    Passage.objects.filter(pk=current.pk).update(
        status_before_deletion=current.status,
        status=PassageStatus.DELETED,
        deleted_at=now,
        deleted_by=by,
        deletion_reason=reason[:500],
        bulk_deletion_id=None,
        updated_at=now,
    )
    PassageEvent.objects.create(
        passage=current,
        kind=PassageEventKind.DELETED,
        actor=by,
        actor_label=actor_label_of(by, actor_label),
        reason=reason[:500],
        changes={"status": [current.status, PassageStatus.DELETED]},
    )
    audit.record(
        actor=by,
        actor_label=actor_label_of(by, actor_label),
        action="passage.deleted",
        obj=current,
        summary=current.id_technique,
    )
    passage.refresh_from_db()


@transaction.atomic
def restore(*, passage: Passage, by, actor_label: str = "") -> None:
    """Bring a deleted passage back as it was (within PASSAGE_RESTORE_DAYS days)."""
    current = Passage.objects.select_for_update().get(pk=passage.pk)
    if not can_restore(current):
        raise PassageError(
            "Ce passage ne peut plus être restauré : il n'est pas supprimé, ou sa "
            f"suppression date de plus de {settings.PASSAGE_RESTORE_DAYS} jours."
        )
    previous = current.status_before_deletion
    Passage.objects.filter(pk=current.pk).update(
        status=previous,
        status_before_deletion="",
        deleted_at=None,
        deleted_by=None,
        deletion_reason="",
        bulk_deletion_id=None,
        updated_at=timezone.now(),
    )
    PassageEvent.objects.create(
        passage=current,
        kind=PassageEventKind.RESTORED,
        actor=by,
        actor_label=actor_label_of(by, actor_label),
        changes={"status": [PassageStatus.DELETED, previous]},
    )
    audit.record(
        actor=by,
        actor_label=actor_label_of(by, actor_label),
        action="passage.restored",
        obj=current,
        summary=current.id_technique,
    )
    passage.refresh_from_db()


# ------------------------------------------------------------------ a SUPPRESSION file


def delete_for_deposit(
    certifier: DepositAccount, id_techniques: list[str], *, deposit: Deposit, now
) -> None:
    """Mark passages deleted by a SUPPRESSION deposit; their content stays restorable."""
    if not id_techniques:
        return
    Passage.objects.filter(certifier=certifier, id_technique__in=id_techniques).exclude(
        status=PassageStatus.DELETED
    ).update(
        status_before_deletion=F("status"),
        status=PassageStatus.DELETED,
        deleted_at=now,
        deleted_by=deposit.uploaded_by,
        deletion_reason=f"Action SUPPRESSION du dépôt n° {deposit.pk}",
        last_deposit=deposit,
        updated_at=now,
    )


# ------------------------------------------------------------------ mass deletions


def delete_in_bulk(ids: list[int], *, by, reason: str, bulk_deletion_id: int, now) -> None:
    """Delete these passages for the mass deletion `bulk_deletion_id`, which can bring
    them back together (`restore_in_bulk`). The caller chose them (not deleted yet) and
    holds their row locks; this runs in its transaction."""
    Passage.objects.filter(pk__in=ids).update(
        status_before_deletion=F("status"),
        status=PassageStatus.DELETED,
        deleted_at=now,
        deleted_by=by,
        deletion_reason=reason,
        bulk_deletion_id=bulk_deletion_id,
        updated_at=now,
    )
    PassageEvent.objects.bulk_create(
        PassageEvent(
            passage_id=pk,
            kind=PassageEventKind.DELETED,
            actor=by,
            actor_label=str(by or "système"),
            reason=f"Suppression en masse n° {bulk_deletion_id} : {reason}"[:500],
            bulk_deletion_id=bulk_deletion_id,
        )
        for pk in ids
    )


def restore_in_bulk(rows: list[tuple[int, str]], *, by, bulk_deletion_id: int, now) -> None:
    """Bring back the passages of a mass deletion: `rows` are (id, status before the
    deletion), chosen and locked by the caller, in its transaction."""
    for previous in (PassageStatus.OK, PassageStatus.KO):
        # Anything but OK comes back as KO, to be looked at again.
        Passage.objects.filter(
            pk__in=[
                pk
                for pk, status in rows
                if (status == PassageStatus.OK) == (previous == PassageStatus.OK)
            ]
        ).update(
            status=previous,
            status_before_deletion="",
            deleted_at=None,
            deleted_by=None,
            deletion_reason="",
            bulk_deletion_id=None,
            updated_at=now,
        )
    PassageEvent.objects.bulk_create(
        PassageEvent(
            passage_id=pk,
            kind=PassageEventKind.RESTORED,
            actor=by,
            actor_label=str(by or "système"),
            reason=f"Annulation de la suppression en masse n° {bulk_deletion_id}",
            bulk_deletion_id=bulk_deletion_id,
        )
        for pk, _status in rows
    )


# ------------------------------------------------------------------ purge


ERASED = "effacé"


def _purge_history(passage_ids: list[int]) -> None:
    """The personal data of the history of these passages: the values of their changes
    (which fields changed stays) and what the deposits' results say of their holder."""
    events = list(
        PassageEvent.objects.filter(passage_id__in=passage_ids)
        .exclude(changes={})
        .only("pk", "changes")
    )
    for event in events:
        event.changes = {
            key: value if key == "status" else [ERASED, ERASED]
            for key, value in (event.changes or {}).items()
        }
    PassageEvent.objects.bulk_update(events, ["changes"], batch_size=500)
    by_certifier: dict[int, list[str]] = {}
    for certifier_id, id_technique in Passage.objects.filter(pk__in=passage_ids).values_list(
        "certifier_id", "id_technique"
    ):
        by_certifier.setdefault(certifier_id, []).append(id_technique)
    for certifier_id, id_techniques in by_certifier.items():
        PassageResult.objects.filter(
            deposit__certifier_account_id=certifier_id, id_technique__in=id_techniques
        ).update(holder_label="", near_misses=[])


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
            _purge_history(ids)
            PassageEvent.objects.bulk_create(
                PassageEvent(passage_id=pk, kind=PassageEventKind.PURGED, actor_label="système")
                for pk in ids
            )
        purged += len(ids)


# ------------------------------------------------------------------ identify again


def reexamine_identity_refusals() -> int:
    """Match again the passages refused for want of a holder, after the reference
    population changed; return how many found their holder."""
    found = 0
    queryset = Passage.objects.filter(status=PassageStatus.KO, ko_reason=KoReason.IDENTITY)
    last_pk = 0
    while True:
        batch = list(
            queryset.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "identity_kind", "identity", "ko_message")[:REEXAMINE_BATCH]
        )
        if not batch:
            return found
        last_pk = batch[-1].pk
        results = identity.match([(p.identity_kind, p.identity) for p in batch])
        with transaction.atomic():
            events = []
            for passage, result in zip(batch, results, strict=True):
                if result.ok:
                    changed = Passage.objects.filter(pk=passage.pk, status=PassageStatus.KO).update(
                        status=PassageStatus.OK,
                        person_id=result.person_id,
                        ko_reason="",
                        ko_message="",
                        updated_at=timezone.now(),
                    )
                    if changed:
                        found += 1
                        events.append(
                            PassageEvent(
                                passage_id=passage.pk,
                                kind=PassageEventKind.REEXAMINED,
                                actor_label="système",
                                changes={"statut": ["KO", "OK"]},
                            )
                        )
                elif result.message != passage.ko_message:
                    Passage.objects.filter(pk=passage.pk).update(ko_message=result.message)
            PassageEvent.objects.bulk_create(events)
