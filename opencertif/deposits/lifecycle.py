"""The owner of a passage's status: the only functions that change it, beside the model.

    identify  a refused passage finds its holder after the reference population changed
    modify    a passage corrected in the certifier space takes the status its rules give
    delete    one passage (its page, the API), the passages of a SUPPRESSION file, a batch
              of a mass deletion: status `deleted`, the status before kept, restorable
              PASSAGE_RESTORE_DAYS days
    restore   one passage, or a batch of a mass deletion, back to its status before
    purge     the content of passages deleted longer ago erased; only their key remains

Each writes, in the caller's transaction, one PassageEvent per passage (its history, with
stable codes: `PassageEventKind`, and `{"status": [before, after]}` in PassageStatus
codes; pages render the French labels) and one AuditEntry per call (for a batch: the ids
and the count). The one other writer is a deposit's own upsert (`engine.write_passages`),
which sets the status its rules give (`assess`) and whose PassageResult rows are the
history of it. The passages app above (its pages, mass deletions) and the API call these
functions; they never write `Passage.status` themselves.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from opencertif.core import audit
from opencertif.deposits.enums import KoReason, PassageEventKind, PassageStatus
from opencertif.deposits.models import Deposit, Passage, PassageEvent, PassageResult
from opencertif.people import identity

PURGE_BATCH = 1000
REEXAMINE_BATCH = 1000
ERASED = "effacé"

# One passage (its page, the API), or a batch: a queryset, or ids.
Passages = Passage | models.QuerySet | Iterable[int]


class PassageError(ValueError):
    """A change that cannot be made; the message says why and what to do."""


# ------------------------------------------------------------------ the restore period


def restore_deadline(deleted_at: datetime.datetime | None) -> datetime.datetime | None:
    """Until when something deleted at `deleted_at` (a passage, a mass deletion) can be
    brought back; afterwards the daily purge erases the content."""
    if deleted_at is None:
        return None
    return deleted_at + datetime.timedelta(days=settings.PASSAGE_RESTORE_DAYS)


def within_restore_period(deleted_at: datetime.datetime | None, *, now=None) -> bool:
    deadline = restore_deadline(deleted_at)
    return deadline is not None and deadline > (now or timezone.now())


def _period_start(now) -> datetime.datetime:
    # Deleted after this instant: still restorable (restore_deadline > now).
    return now - datetime.timedelta(days=settings.PASSAGE_RESTORE_DAYS)


def can_restore(passage: Passage, *, now=None) -> bool:
    """Whether the passage is deleted, not purged, and within its restore period (as
    `restorable`, for a passage already read)."""
    return (
        passage.status == PassageStatus.DELETED
        and passage.purged_at is None
        and within_restore_period(passage.deleted_at, now=now)
    )


def restorable(passages: models.QuerySet, *, now=None) -> models.QuerySet:
    """The passages of a queryset that `restore` would bring back."""
    return passages.filter(
        status=PassageStatus.DELETED,
        purged_at__isnull=True,
        deleted_at__gt=_period_start(now or timezone.now()),
    )


def _status_after_restore(before: str) -> str:
    # Anything but OK comes back as KO, to be looked at again.
    return PassageStatus.OK if before == PassageStatus.OK else PassageStatus.KO


# ------------------------------------------------------------------ helpers


def _queryset(passages: Passages) -> models.QuerySet:
    if isinstance(passages, Passage):
        return Passage.objects.filter(pk=passages.pk)
    if isinstance(passages, models.QuerySet):
        return passages
    return Passage.objects.filter(pk__in=list(passages))


def _remember(
    passages: Passages,
    rows: list[tuple[int, str, str]],
    *,
    kind: str,
    action: str,
    summary: str,
    by=None,
    actor_label: str = "",
    reason: str = "",
    about: models.Model | None = None,
    **extra,
) -> list[int]:
    """The history and the audit of one call: one event a passage (`rows`: id, status
    before, status after) and one audit entry, about the passage or about the batch
    (`about`, else the passages' model) with its ids. Returns the ids."""
    label = audit.actor_name(by, actor_label)
    PassageEvent.objects.bulk_create(
        PassageEvent(
            passage_id=pk,
            kind=kind,
            actor=by if getattr(by, "pk", None) else None,
            actor_label=label[:200],
            reason=reason[:500],
            changes={"status": [before, after]} if before != after else {},
            **extra,
        )
        for pk, before, after in rows
    )
    ids = [pk for pk, _before, _after in rows]
    if isinstance(passages, Passage):
        audit.record(
            actor=by,
            actor_label=actor_label,
            action=f"passage.{action}",
            obj=passages,
            summary=passages.id_technique,
        )
        passages.refresh_from_db()
    elif ids:
        audit.record(
            actor=by,
            actor_label=actor_label,
            action=f"passages.{action}",
            obj=about if about is not None else Passage,
            summary=f"{len(ids)} passage(s) {summary}",
            changes=audit.ids_changes(ids, count=len(ids)),
        )
    return ids


# ------------------------------------------------------------------ delete


@transaction.atomic
def delete(
    passages: Passages,
    *,
    by=None,
    actor_label: str = "",
    reason: str,
    deposit: Deposit | None = None,
    bulk_deletion_id: int | None = None,
    about: models.Model | None = None,
    now=None,
) -> list[int]:
    """Delete passages: they leave their holders' passports at once and can be restored
    for PASSAGE_RESTORE_DAYS days. Returns the ids deleted.

    `passages`: one Passage (its page, the API: refused with PassageError when already
    deleted), or a batch (a queryset, ids), whose passages already deleted are left as
    they are. `by` is the acting user; `actor_label` names a non-human actor (an API
    token). `deposit`: the SUPPRESSION deposit that deletes them (it becomes their last
    deposit); `bulk_deletion_id`: the mass deletion that deletes them and can bring them
    back together. `about` is the object a batch's audit entry is about (the deposit,
    the mass deletion)."""
    reason = (reason or "").strip()
    if not reason:
        raise PassageError("Indiquez le motif de la suppression.")
    now = now or timezone.now()
    rows = list(
        _queryset(passages)
        .select_for_update()
        .exclude(status=PassageStatus.DELETED)
        .order_by("pk")
        .values_list("pk", "status")
    )
    if isinstance(passages, Passage) and not rows:
        raise PassageError("Ce passage est déjà supprimé.")
    for before in {status for _pk, status in rows}:
        # The status before is kept per passage: grouped, one statement per status.
        Passage.objects.filter(pk__in=[pk for pk, status in rows if status == before]).update(
            status=PassageStatus.DELETED,
            status_before_deletion=before,
            deleted_at=now,
            deleted_by=by if getattr(by, "pk", None) else None,
            deletion_reason=reason[:500],
            bulk_deletion_id=bulk_deletion_id,
            **({"last_deposit": deposit} if deposit is not None else {}),
            updated_at=now,
        )
    return _remember(
        passages,
        [(pk, status, PassageStatus.DELETED) for pk, status in rows],
        kind=PassageEventKind.DELETED,
        action="deleted",
        summary="supprimé(s)",
        by=by,
        actor_label=actor_label,
        reason=reason,
        about=about or deposit,
        deposit=deposit,
        bulk_deletion_id=bulk_deletion_id,
    )


# ------------------------------------------------------------------ restore


@transaction.atomic
def restore(
    passages: Passages,
    *,
    by=None,
    actor_label: str = "",
    reason: str = "",
    bulk_deletion_id: int | None = None,
    about: models.Model | None = None,
    now=None,
) -> list[int]:
    """Bring deleted passages back to their status before the deletion (within
    PASSAGE_RESTORE_DAYS days, before the purge). Returns the ids restored.

    One Passage is refused with PassageError when it cannot be restored; of a batch
    (a queryset, ids), only the restorable ones come back. The other arguments are
    `delete`'s; `bulk_deletion_id` names the mass deletion undone."""
    now = now or timezone.now()
    rows = list(
        restorable(_queryset(passages), now=now)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", "status_before_deletion")
    )
    if isinstance(passages, Passage) and not rows:
        raise PassageError(
            "Ce passage ne peut plus être restauré : il n'est pas supprimé, ou sa "
            f"suppression date de plus de {settings.PASSAGE_RESTORE_DAYS} jours."
        )
    restored = [(pk, _status_after_restore(before)) for pk, before in rows]
    for after in {status for _pk, status in restored}:
        Passage.objects.filter(pk__in=[pk for pk, status in restored if status == after]).update(
            status=after,
            status_before_deletion="",
            deleted_at=None,
            deleted_by=None,
            deletion_reason="",
            bulk_deletion_id=None,
            updated_at=now,
        )
    return _remember(
        passages,
        [(pk, PassageStatus.DELETED, after) for pk, after in restored],
        kind=PassageEventKind.RESTORED,
        action="restored",
        summary="restauré(s)",
        by=by,
        actor_label=actor_label,
        reason=reason,
        about=about,
        bulk_deletion_id=bulk_deletion_id,
    )


# ------------------------------------------------------------------ modify


def modify(*, passage: Passage, values: dict, changes: dict[str, list], by, summary: str) -> None:
    """Write a corrected passage: `values`, the columns its rules give
    (`assess.passage_values`, the status among them), `changes` the before/after values
    its history keeps (personal data masked by the caller), `summary` what the audit
    says (field names only, never values). The caller holds the row lock and runs this
    in its transaction."""
    for name, value in values.items():
        setattr(passage, name, value)
    passage.updated_at = timezone.now()
    passage.save()
    PassageEvent.objects.create(
        passage=passage,
        kind=PassageEventKind.MODIFIED,
        actor=by,
        actor_label=audit.actor_name(by),
        changes=changes,
    )
    audit.record(
        actor=by,
        action="passage.modified",
        obj=passage,
        summary=summary,
        changes=dict.fromkeys(changes, "modifié"),
    )


# ------------------------------------------------------------------ identify


def identify(found: list[tuple[int, int]], *, now=None) -> list[int]:
    """Attach refused passages to the holder a new match found: `found` holds
    (passage id, person id). Only passages still refused for want of a holder change
    (a deposit may have replaced one meanwhile). Returns the ids identified; the caller
    runs this in its transaction."""
    now = now or timezone.now()
    identified = []
    for passage_id, person_id in found:
        if Passage.objects.filter(
            pk=passage_id, status=PassageStatus.KO, ko_reason=KoReason.IDENTITY
        ).update(
            status=PassageStatus.OK,
            person_id=person_id,
            ko_reason="",
            ko_message="",
            updated_at=now,
        ):
            identified.append(passage_id)
    return _remember(
        identified,
        [(pk, PassageStatus.KO, PassageStatus.OK) for pk in identified],
        kind=PassageEventKind.REEXAMINED,
        action="identified",
        summary="rattaché(s) à leur titulaire",
    )


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
            found += len(
                identify(
                    [
                        (passage.pk, result.person_id)
                        for passage, result in zip(batch, results, strict=True)
                        if result.ok
                    ]
                )
            )
            for passage, result in zip(batch, results, strict=True):
                if not result.ok and result.message != passage.ko_message:
                    # Still refused: only the reason, as of today, is rewritten.
                    Passage.objects.filter(pk=passage.pk).update(ko_message=result.message)


# ------------------------------------------------------------------ purge


def _purge_history(passage_ids: list[int]) -> None:
    """The personal data of the history of these passages: the values of their changes
    (which fields changed, and the statuses, stay) and what the deposits' results say of
    their holder."""
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
    purged = 0
    while True:
        ids = list(
            Passage.objects.filter(
                status=PassageStatus.DELETED,
                deleted_at__lte=_period_start(now),
                purged_at__isnull=True,
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
            _remember(
                ids,
                [(pk, PassageStatus.DELETED, PassageStatus.DELETED) for pk in ids],
                kind=PassageEventKind.PURGED,
                action="purged",
                summary="effacé(s)",
            )
        purged += len(ids)
