"""Mass deletion of passages: choose, preview, confirm by typing, run in the background,
restore within PASSAGE_RESTORE_DAYS days.

The selection is fixed when the user confirms (the ids are stored on the BulkDeletion), so
the task deletes exactly what was previewed, in batches, each committed with the progress
counter: a worker killed mid-way resumes where it stopped.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from opencertif.core import audit
from opencertif.core.ids import is_id
from opencertif.deposits import lifecycle
from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.lifecycle import PassageError
from opencertif.deposits.models import Deposit
from opencertif.organisations.models import Organisation
from opencertif.passages.enums import BulkDeletionKind, BulkDeletionState
from opencertif.passages.listing import of_organisation
from opencertif.passages.models import BulkDeletion

BATCH = 1000
CHUNK = 500
MAX_LISTED = 200_000
SAMPLE = 20


class SelectionChanged(PassageError):
    """The passages matching the criteria changed between the preview and the confirmation."""


@dataclass
class Selection:
    """Passages chosen by one criterion, among those the organisation may look after."""

    kind: str
    criteria: dict
    description: str
    ids: list[int] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    ok: int = 0
    ko: int = 0
    by_certification: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.ids)

    def preview(self) -> dict:
        """What the preview page shows (kept on the draft)."""
        top = sorted(self.by_certification.items(), key=lambda item: (-item[1], item[0]))
        return {
            "ok": self.ok,
            "ko": self.ko,
            "by_certification": top[:20],
            "not_found": self.not_found[:1000],
            "not_found_total": len(self.not_found),
        }


def parse_id_list(text: str) -> list[str]:
    """idTechnique values from a pasted or uploaded list: one per line, or separated by
    commas, semicolons or tabs; blanks and a header named idTechnique ignored."""
    values = []
    seen = set()
    for item in re.split(r"[\r\n;,\t]+", text or ""):
        value = item.strip().strip('"').strip()
        if not value or value.lower() in ("idtechnique", "id technique", "id_technique"):
            continue
        if value not in seen:
            seen.add(value)
            values.append(value)
    return values


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _number(value) -> int:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 25 else 0


def _collect(selection: Selection, rows) -> None:
    for pk, status, code in rows:
        selection.ids.append(pk)
        if status == PassageStatus.OK:
            selection.ok += 1
        else:
            selection.ko += 1
        selection.by_certification[code] = selection.by_certification.get(code, 0) + 1


def select(*, organisation: Organisation, kind: str, criteria: dict) -> Selection:
    """The passages (not yet deleted) that a criterion designates for the organisation.
    Raises PassageError with a message saying what to fix when the criterion is incomplete."""
    mine = of_organisation(organisation).exclude(status=PassageStatus.DELETED)
    columns = ("pk", "status", "certification_code")
    if kind == BulkDeletionKind.DEPOSIT:
        number = _number(criteria.get("deposit"))
        deposit = (
            Deposit.objects.filter(
                Q(organisation=organisation) | Q(certifier_account__organisation=organisation),
                pk=number,
            ).first()
            if is_id(number)
            else None
        )
        if deposit is None:
            raise PassageError("Choisissez un dépôt de votre organisme.")
        selection = Selection(
            kind=kind,
            criteria={"deposit": deposit.pk},
            description=f"Passages du dépôt n° {deposit.pk} ({deposit.file_name})",
        )
        _collect(selection, mine.filter(last_deposit=deposit).order_by("pk").values_list(*columns))
    elif kind == BulkDeletionKind.CERTIFICATION:
        code = (criteria.get("certification") or "").strip().upper()
        start, end = criteria.get("start"), criteria.get("end")
        if not code:
            raise PassageError("Choisissez la certification.")
        if not (start and end):
            raise PassageError("Indiquez la période (début de validité du … au …).")
        start = datetime.date.fromisoformat(str(start))
        end = datetime.date.fromisoformat(str(end))
        if end < start:
            raise PassageError("La fin de la période précède son début.")
        selection = Selection(
            kind=kind,
            criteria={"certification": code, "start": start.isoformat(), "end": end.isoformat()},
            description=(
                f"Passages de {code} dont la validité commence entre le {start:%d/%m/%Y} et "
                f"le {end:%d/%m/%Y}"
            ),
        )
        _collect(
            selection,
            mine.filter(certification_code=code, valid_from__gte=start, valid_from__lte=end)
            .order_by("pk")
            .values_list(*columns),
        )
    elif kind == BulkDeletionKind.SELECTION:
        wanted = sorted(
            {
                int(pk)
                for pk in criteria.get("ids") or []
                if str(pk).isascii() and str(pk).isdigit() and is_id(int(pk))
            }
        )
        if not wanted:
            raise PassageError("Cochez au moins un passage dans la liste.")
        if len(wanted) > CHUNK:
            raise PassageError(f"Cochez au plus {CHUNK} passages à la fois.")
        selection = Selection(
            kind=kind,
            criteria={"ids": wanted},
            description=f"Sélection de {len(wanted)} passage(s) dans la liste",
        )
        _collect(selection, mine.filter(pk__in=wanted).order_by("pk").values_list(*columns))
    elif kind == BulkDeletionKind.ID_LIST:
        wanted_ids = parse_id_list(criteria.get("id_techniques_text") or "")
        if not wanted_ids:
            raise PassageError("Collez ou joignez la liste des idTechnique, un par ligne.")
        if len(wanted_ids) > MAX_LISTED:
            raise PassageError(
                f"La liste compte plus de {MAX_LISTED} idTechnique : découpez-la en plusieurs."
            )
        selection = Selection(
            kind=kind,
            criteria={"id_techniques": wanted_ids},
            description=f"Liste de {len(wanted_ids)} idTechnique",
        )
        found = set()
        # In chunks: a list may hold 200,000 values, more than a query may carry.
        for chunk in _chunks(wanted_ids):
            rows = list(mine.filter(id_technique__in=chunk).values_list(*columns, "id_technique"))
            _collect(selection, (row[:3] for row in rows))
            found.update(row[3] for row in rows)
        selection.ids.sort()
        selection.not_found = [value for value in wanted_ids if value not in found]
    else:
        raise PassageError("Choisissez comment désigner les passages à supprimer.")
    return selection


def _normalised(text: str) -> str:
    return " ".join((text or "").upper().split())


def confirmation_phrase(total: int) -> str:
    return f"SUPPRIMER {total}"


@transaction.atomic
def prepare(*, organisation: Organisation, selection: Selection, by) -> BulkDeletion:
    """Keep a selection as a draft mass deletion, to be previewed then confirmed."""
    if selection.total == 0:
        raise PassageError(
            "Aucun passage ne correspond : rien à supprimer."
            + (
                f" ({len(selection.not_found)} idTechnique inconnu(s) pour votre organisme.)"
                if selection.not_found
                else ""
            )
        )
    return BulkDeletion.objects.create(
        organisation=organisation,
        kind=selection.kind,
        criteria={**selection.criteria, "preview": selection.preview()},
        description=selection.description[:500],
        reason="",
        passage_ids=selection.ids,
        total=selection.total,
        created_by=by,
    )


def confirm(*, bulk: BulkDeletion, confirmation: str, reason: str, by) -> BulkDeletion:
    """Confirm a previewed mass deletion (the count typed by the user) and start it in the
    background. When the criterion now designates other passages, the draft is updated
    and SelectionChanged asks the user to look at the new preview."""
    bulk.refresh_from_db()
    if bulk.state != BulkDeletionState.DRAFT:
        raise PassageError("Cette suppression a déjà été confirmée.")
    if _normalised(confirmation) != confirmation_phrase(bulk.total):
        raise PassageError(
            f"Pour confirmer, tapez exactement « {confirmation_phrase(bulk.total)} »."
        )
    reason = (reason or "").strip()
    if not reason:
        raise PassageError("Indiquez le motif de la suppression.")
    criteria = {key: value for key, value in bulk.criteria.items() if key != "preview"}
    if bulk.kind == BulkDeletionKind.ID_LIST:
        criteria = {"id_techniques_text": "\n".join(criteria.get("id_techniques", []))}
    current = select(organisation=bulk.organisation, kind=bulk.kind, criteria=criteria)
    if current.ids != bulk.passage_ids:
        BulkDeletion.objects.filter(pk=bulk.pk, state=BulkDeletionState.DRAFT).update(
            passage_ids=current.ids,
            total=current.total,
            criteria={**current.criteria, "preview": current.preview()},
        )
        raise SelectionChanged(
            f"Les passages désignés ont changé depuis l'aperçu ({bulk.total} puis "
            f"{current.total}) : vérifiez le nouvel aperçu avant de confirmer."
        )
    with transaction.atomic():
        # Under the row lock of the transition: two confirmations cannot both start it.
        bulk.confirm(reason=reason[:500], by=by)
        audit.record(
            actor=by,
            action="passages.bulk_deletion_confirmed",
            obj=bulk,
            summary=f"{bulk.total} passage(s) : {bulk.description}",
        )
        transaction.on_commit(lambda: enqueue(bulk.pk))
    return bulk


def enqueue(bulk_id: int) -> None:
    # Imported here: the task module imports this one.
    from opencertif.passages.tasks import run_bulk_deletion

    run_bulk_deletion.enqueue(bulk_id)


def unfinished():
    """Mass deletions a stopped worker left under way (running them again is harmless)."""
    return BulkDeletion.objects.filter(
        state__in=(
            BulkDeletionState.QUEUED,
            BulkDeletionState.RUNNING,
            BulkDeletionState.RESTORING,
        )
    )


def resume_at_start() -> str:
    """At a worker's start (`settings.RESUME_AT_WORKER_START`): enqueue again the mass
    deletions a stopped worker left under way; a line saying how many, or ""."""
    resumed = [bulk.pk for bulk in unfinished()]
    for pk in resumed:
        enqueue(pk)
    return f"{len(resumed)} suppression(s) en masse reprise(s)." if resumed else ""


def sample(bulk: BulkDeletion):
    """The first passages of a selection, to show in its preview (those the organisation
    may still see)."""
    return (
        of_organisation(bulk.organisation)
        .filter(pk__in=bulk.passage_ids[:SAMPLE])
        .order_by("id_technique")
    )


def run(bulk_id: int) -> BulkDeletion:
    """Task body: delete (or restore) the passages of a mass deletion, batch by batch;
    safe to run twice, resumes after the last committed batch."""
    bulk = BulkDeletion.objects.get(pk=bulk_id)
    try:
        if bulk.state == BulkDeletionState.QUEUED:
            bulk.start()
        if bulk.state == BulkDeletionState.RUNNING:
            _delete_batches(bulk)
        elif bulk.state == BulkDeletionState.RESTORING:
            _restore(bulk)
    except Exception as exc:
        bulk.refresh_from_db()
        if bulk.state in (
            BulkDeletionState.QUEUED,
            BulkDeletionState.RUNNING,
            BulkDeletionState.RESTORING,
        ):
            bulk.fail(failure=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    bulk.refresh_from_db()
    return bulk


def _delete_batches(bulk: BulkDeletion) -> None:
    ids = bulk.passage_ids
    position = bulk.processed
    # Only what the organisation may still look after: a delegation revoked since the
    # confirmation takes the certifier's passages out of the deletion.
    scope = of_organisation(bulk.organisation)
    while position < len(ids):
        batch = ids[position : position + BATCH]
        with transaction.atomic():
            targets = lifecycle.delete(
                scope.filter(pk__in=batch),
                by=bulk.created_by,
                reason=bulk.reason,
                bulk_deletion_id=bulk.pk,
                about=bulk,
            )
            updated = BulkDeletion.objects.filter(
                pk=bulk.pk, processed=position, state=BulkDeletionState.RUNNING
            ).update(
                processed=position + len(batch),
                deleted_count=F("deleted_count") + len(targets),
            )
            if updated != 1:
                return  # another run is ahead and will finish
        position += len(batch)
    bulk.refresh_from_db()
    bulk.finish()
    audit.record(
        actor=bulk.created_by,
        action="passages.bulk_deleted",
        obj=bulk,
        summary=f"{bulk.deleted_count} passage(s) supprimé(s)",
    )


def restore_until(bulk: BulkDeletion) -> datetime.datetime | None:
    return lifecycle.restore_deadline(bulk.finished_at)


def can_restore(bulk: BulkDeletion, *, now=None) -> bool:
    return bulk.state == BulkDeletionState.DONE and lifecycle.within_restore_period(
        bulk.finished_at, now=now
    )


@transaction.atomic
def request_restore(*, bulk: BulkDeletion, by) -> None:
    """Bring back every passage of a mass deletion (within PASSAGE_RESTORE_DAYS days),
    in the background; passages deposited again since are left as they are."""
    if not can_restore(bulk):
        raise PassageError(
            "Cette suppression ne peut plus être annulée : elle n'est pas terminée, déjà "
            f"annulée, ou date de plus de {settings.PASSAGE_RESTORE_DAYS} jours."
        )
    bulk.request_restore(by=by)
    audit.record(actor=by, action="passages.bulk_restore_requested", obj=bulk)
    transaction.on_commit(lambda: enqueue(bulk.pk))


def _restore(bulk: BulkDeletion) -> None:
    # As for the deletion: passages of a certifier that revoked its delegation since are
    # no longer the organisation's to restore (the certifier restores them one by one).
    scope = of_organisation(bulk.organisation)
    while True:
        with transaction.atomic():
            batch = list(
                lifecycle.restorable(scope.filter(bulk_deletion_id=bulk.pk))
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not batch:
                break
            restored = lifecycle.restore(
                batch,
                by=bulk.restored_by,
                reason=f"Annulation de la suppression en masse n° {bulk.pk}",
                bulk_deletion_id=bulk.pk,
                about=bulk,
            )
            BulkDeletion.objects.filter(pk=bulk.pk).update(
                restored_count=F("restored_count") + len(restored)
            )
    bulk.refresh_from_db()
    bulk.finish_restore()
    audit.record(
        actor=bulk.restored_by,
        action="passages.bulk_restored",
        obj=bulk,
        summary=f"{bulk.restored_count} passage(s) restauré(s)",
    )


@transaction.atomic
def retry(*, bulk: BulkDeletion, by) -> None:
    """Start a failed mass deletion (or its restoration) again where it stopped."""
    if bulk.restore_requested:
        bulk.retry_restore(by=by)
    else:
        bulk.retry_deletion(by=by)
    audit.record(actor=by, action="passages.bulk_retried", obj=bulk)
    transaction.on_commit(lambda: enqueue(bulk.pk))
