"""Spreadsheets of passages converted in the background (the page /espace/tableur/).

receive()  checks the upload's size and first bytes (nothing more is read in the request),
           stores it under DATA_DIR/files/sheets/uploads/ (the storage streams it) and
           creates the SheetImport; the conversion task is enqueued on commit.
run()      the task body: claims the conversion, converts the sheet
           (`conversion.convert`, bounded memory) and writes its progress about every
           second in a statement of its own — never one long write transaction, so that
           SQLite keeps answering the other users and the workers — then deposits the
           accepted rows through the deposit engine, or writes the XML file to download.
           Safe to run twice: a second run while the first one beats does nothing, a run
           whose claim was taken stops, and the end is written once, under the row lock.
resume()   for the worker, at start and every few seconds: enqueues again the
           conversions whose run stopped beating (its worker died) and fails for good,
           with a French message, one interrupted MAX_INTERRUPTIONS times. A conversion
           starts over from its first row (the file is on disk; nothing was deposited).
"""

import datetime
import logging
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencertif.core import audit
from opencertif.deposits import engine
from opencertif.deposits.enums import SheetAction, SheetImportState
from opencertif.deposits.models import SheetCounts, SheetImport
from opencertif.deposits.sheets import conversion as sheet_conversion
from opencertif.deposits.sheets import files
from opencertif.deposits.sheets.errors import SheetRefused
from opencertif.organisations.models import Organisation

log = logging.getLogger(__name__)

UPLOADS = "sheets/uploads"
GENERATED = "sheets"
# A generated XML file is kept this long for its download, then erased.
KEPT_SECONDS = 24 * 3600
MAX_INTERRUPTIONS = 2
QUEUED = "q:"  # prefix of a claim set for a run still waiting in the queue
PROGRESS_SECONDS = 1.0

INTERRUPTED = (
    "La conversion du tableur s'est interrompue {count} fois sans aboutir (le programme qui "
    "le lisait s'est arrêté) : elle n'est pas relancée. Vérifiez que le fichier s'ouvre dans "
    "votre tableur, enregistrez-le de nouveau (.xlsx ou CSV UTF-8) ou répartissez ses lignes "
    "sur plusieurs tableurs, puis déposez-le de nouveau."
)
FAILED = (
    "La conversion du tableur a échoué sur une erreur technique de la plateforme : déposez-le "
    "de nouveau ; si l'erreur se reproduit, signalez-la à l'équipe de la plateforme en "
    "indiquant le tableur n° {pk}."
)
STORAGE = (
    "Le service est momentanément indisponible : le tableur n'a pas pu être enregistré. "
    "Déposez-le de nouveau dans quelques minutes ; si le problème persiste, signalez-le à "
    "l'équipe de la plateforme."
)
LOST = "Le fichier déposé n'a pas été retrouvé sur le serveur : déposez le tableur de nouveau."
NO_ROW = {
    SheetAction.DEPOSIT: (
        "Aucune ligne du tableur n'est acceptable : rien n'a été déposé. Corrigez les erreurs "
        "ci-dessous, puis déposez-le de nouveau."
    ),
    SheetAction.XML: (
        "Aucune ligne du tableur n'est acceptable : aucun fichier XML n'a été produit. "
        "Corrigez les erreurs ci-dessous, puis déposez-le de nouveau."
    ),
}


class Superseded(Exception):
    """Another run holds this conversion, or it is over: this run stops, writing nothing."""


def stall_seconds() -> int:
    return settings.DEPOSIT_STALL_SECONDS


# ---------------------------------------------------------------- the upload


def receive(*, organisation: Organisation, user, action: str, upload: UploadedFile) -> SheetImport:
    """Store an uploaded spreadsheet and create its conversion, enqueued on commit.

    Only the size and the first bytes are checked here (`files.recognise`): the rest
    is read by the task. Raises SheetRefused (empty, too big, not a
    spreadsheet: nothing stored) and engine.StorageUnavailable (disk full or not writable)."""
    if action not in SheetAction.values:
        raise ValueError(f"action inconnue : {action}")
    files.recognise(upload.file)
    upload.seek(0)
    suffix = Path(upload.name or "").suffix.lower()
    suffix = suffix if suffix in (".xlsx", ".csv") else ".bin"
    try:
        stored = default_storage.save(f"{UPLOADS}/{uuid.uuid4().hex}{suffix}", upload)
    except OSError as exc:
        log.error("tableur non enregistré : %s", exc)
        raise engine.StorageUnavailable(STORAGE) from exc
    try:
        with transaction.atomic():
            sheet = SheetImport.objects.create(
                organisation=organisation,
                created_by=user if getattr(user, "pk", None) else None,
                action=action,
                file_name=Path(upload.name or "").name[:255] or "tableur",
                stored_path=stored,
                size=upload.size,
            )
            audit.record(
                actor=user,
                action="sheet.received",
                obj=sheet,
                summary=f"{sheet.file_name}, {sheet.size} octets, {sheet.get_action_display()}",
            )
            transaction.on_commit(lambda: enqueue(sheet.pk))
    except BaseException:
        default_storage.delete(stored)
        raise
    return sheet


def enqueue(import_id: int) -> None:
    # Imported here: the task module imports this one.
    from opencertif.deposits.tasks import convert_sheet

    convert_sheet.enqueue(import_id)


# ---------------------------------------------------------------- the task body


class _Beat:
    """The progress callback of a run: writes rows and heartbeat about every second, each
    write a statement of its own; raises Superseded when the claim was taken."""

    def __init__(self, pk: int, token: str):
        self.pk = pk
        self.token = token
        self.last = time.monotonic()

    def __call__(self, rows: int, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        # An estimate of the rows from the share of the file read: the sheet's own
        # dimension is often wrong, and a CSV has none.
        total = max(rows, round(rows / fraction)) if fraction > 0.01 else 0
        self.write(rows_done=rows, rows_total=total)

    def write(self, **fields) -> None:
        updated = SheetImport.objects.filter(
            pk=self.pk, run_token=self.token, state=SheetImportState.CONVERTING
        ).update(heartbeat_at=timezone.now(), **fields)
        if not updated:
            raise Superseded(f"tableur {self.pk}")


def run(import_id: int) -> SheetImport | None:
    """Task body: convert (or convert again) an uploaded spreadsheet. Safe to call twice."""
    token = _claim(import_id)
    if token is None:
        return SheetImport.objects.filter(pk=import_id).first()
    sheet = SheetImport.objects.select_related("organisation", "created_by").get(pk=import_id)
    beat = _Beat(sheet.pk, token)
    try:
        try:
            stream = open(default_storage.path(sheet.stored_path), "rb")  # noqa: SIM115
        except FileNotFoundError:
            _end(sheet, token, sheet.fail, failure=LOST)
            return _reloaded(sheet)
        with (
            stream,
            sheet_conversion.convert(stream, organisation=sheet.organisation, progress=beat) as c,
        ):
            beat.write(rows_done=c.rows_read, rows_total=c.rows_read)
            if not c.accepted:
                _end(sheet, token, sheet.refuse, refusal=NO_ROW[sheet.action], counts=_counts(c))
            elif sheet.action == SheetAction.XML:
                _finish_xml(sheet, token, c)
            else:
                _finish_deposit(sheet, token, c)
    except Superseded:
        pass
    except (SheetRefused, engine.DepositRefused) as exc:
        _end(sheet, token, sheet.refuse, refusal=str(exc))
    except engine.StorageUnavailable:
        _end(sheet, token, sheet.fail, failure=STORAGE)
    except Exception as exc:
        log.exception("conversion du tableur n° %s", sheet.pk)
        _end(
            sheet,
            token,
            sheet.fail,
            failure=FAILED.format(pk=sheet.pk),
            note=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    return _reloaded(sheet)


def _reloaded(sheet: SheetImport) -> SheetImport:
    sheet.refresh_from_db()
    return sheet


def _claim(import_id: int) -> str | None:
    """Take the conversion for this run: a fresh token, or None when there is nothing to
    do (over, or held by a run that beats)."""
    with transaction.atomic():
        sheet = SheetImport.objects.select_for_update().filter(pk=import_id).first()
        if sheet is None or sheet.is_final:
            return None
        now = timezone.now()
        running = sheet.state == SheetImportState.CONVERTING and not (
            sheet.run_token.startswith(QUEUED) or not sheet.run_token
        )
        if running:
            limit = now - datetime.timedelta(seconds=stall_seconds())
            if sheet.heartbeat_at and sheet.heartbeat_at >= limit:
                return None
            # Its run stopped beating without resume() having seen it.
            sheet.interruptions += 1
        if sheet.interruptions >= MAX_INTERRUPTIONS:
            _fail_locked(sheet, INTERRUPTED.format(count=sheet.interruptions))
            return None
        token = uuid.uuid4().hex
        if sheet.state == SheetImportState.RECEIVED:
            sheet.start(run_token=token)
        else:
            sheet.take_over(run_token=token, interruptions=sheet.interruptions)
        return token


def _hold(sheet: SheetImport, token: str) -> None:
    """Under the row lock: this run still holds the conversion (else Superseded)."""
    current = (
        SheetImport.objects.select_for_update()
        .filter(pk=sheet.pk)
        .values_list("state", "run_token")
        .first()
    )
    if current != (SheetImportState.CONVERTING, token):
        raise Superseded(f"tableur {sheet.pk}")


def _counts(conversion: sheet_conversion.Conversion) -> SheetCounts:
    return SheetCounts(
        rows=conversion.rows_read,
        accepted=conversion.accepted,
        rows_left_out=conversion.rows_left_out,
        error_total=conversion.error_total,
        errors=conversion.stored_errors(),
    )


def _finish_deposit(
    sheet: SheetImport, token: str, conversion: sheet_conversion.Conversion
) -> None:
    def finish(deposit) -> None:
        # In the short transaction that gives the deposit its sheet rows.
        _hold(sheet, token)
        _final(sheet, sheet.finish, counts=_counts(conversion), deposit=deposit)

    # Seconds for 200,000 rows: written before anything is stored, then copied by the
    # engine outside any transaction; only the records are written under the row lock.
    # (A worker killed between the engine's commit and this one leaves a deposit this
    # conversion does not name, and the conversion runs again: the same passages are then
    # sent twice, the second time found unchanged.)
    with sheet_conversion.write_xml_file(conversion) as xml:
        _Beat(sheet.pk, token).write()
        sheet_conversion.deposit_conversion(
            conversion,
            organisation=sheet.organisation,
            user=sheet.created_by,
            name=sheet.file_name,
            xml=xml,
            then=finish,
        )


def _finish_xml(sheet: SheetImport, token: str, conversion: sheet_conversion.Conversion) -> None:
    folder = Path(default_storage.path(GENERATED))
    folder.mkdir(parents=True, exist_ok=True)
    forget_old_files(folder)
    final = folder / f"{sheet.pk}.xml"
    partial = folder / f"{sheet.pk}-{token}.part"
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as out:
            conversion.write_xml(out)
        with transaction.atomic():
            _hold(sheet, token)
            partial.replace(final)
            _final(
                sheet,
                sheet.finish,
                counts=_counts(conversion),
                xml_path=str(final.relative_to(default_storage.location)),
                xml_name=xml_name(sheet.file_name),
            )
    finally:
        partial.unlink(missing_ok=True)


def _final(sheet: SheetImport, transition: Callable[..., None], **arguments) -> None:
    """The last write of a conversion: `transition` (one of the sheet's final methods:
    finish, refuse, fail) saves its state and counts, and the upload is erased (the file
    holds personal data, and the conversion will not be run again)."""
    stored = sheet.stored_path
    transition(**arguments)
    if stored:
        transaction.on_commit(lambda: default_storage.delete(stored))


def _end(
    sheet: SheetImport,
    token: str,
    transition: Callable[..., None],
    **arguments,
) -> None:
    """Refuse or fail (`sheet.refuse`, `sheet.fail` with their `arguments`) the
    conversion held by this run (nothing when it is not held)."""
    try:
        with transaction.atomic():
            _hold(sheet, token)
            _final(sheet, transition, **arguments)
    except Superseded:
        pass


def _fail_locked(sheet: SheetImport, failure: str) -> None:
    """Fail a conversion whose row lock the caller holds."""
    _final(
        sheet, sheet.fail, failure=failure, note=failure[:200], interruptions=sheet.interruptions
    )


# ---------------------------------------------------------------- the worker's side


def unfinished():
    """Conversions not over yet: waiting in the queue, or converting."""
    return SheetImport.objects.filter(
        state__in=(SheetImportState.RECEIVED, SheetImportState.CONVERTING)
    )


def resume(*, older_than_seconds: int | None = None) -> list[int]:
    """Enqueue again the conversions whose run stopped beating (its worker died, or the
    queue lost the task) for more than `older_than_seconds` (DEPOSIT_STALL_SECONDS by
    default); fail for good, with a French message, those interrupted MAX_INTERRUPTIONS
    times. For the worker, at start and every few seconds. Returns the ids enqueued."""
    seconds = stall_seconds() if older_than_seconds is None else older_than_seconds
    limit = timezone.now() - datetime.timedelta(seconds=seconds)
    candidates = list(
        unfinished()
        .filter(Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit))
        .values_list("pk", flat=True)
    )
    enqueued = []
    for pk in candidates:
        with transaction.atomic():
            sheet = SheetImport.objects.select_for_update().get(pk=pk)
            if sheet.is_final or (sheet.heartbeat_at and sheet.heartbeat_at >= limit):
                continue
            if sheet.state == SheetImportState.CONVERTING and not (
                sheet.run_token.startswith(QUEUED) or not sheet.run_token
            ):
                sheet.interruptions += 1
                if sheet.interruptions >= MAX_INTERRUPTIONS:
                    _fail_locked(sheet, INTERRUPTED.format(count=sheet.interruptions))
                    continue
            sheet.run_token = QUEUED + uuid.uuid4().hex[:30]
            sheet.heartbeat_at = timezone.now()
            sheet.save(update_fields=["run_token", "heartbeat_at", "interruptions"])
            transaction.on_commit(lambda pk=pk: enqueue(pk))
        enqueued.append(pk)
    return enqueued


# ---------------------------------------------------------------- generated files


def xml_name(upload_name: str) -> str:
    """The generated file's name: the sheet's, in .xml, safe for a download."""
    stem = Path(upload_name).stem or "passages"
    return re.sub(r"[^\w.\-]+", "_", stem)[:100] + ".xml"


def forget_old_files(folder: Path) -> None:
    """Erase the generated XML files older than KEPT_SECONDS."""
    limit = time.time() - KEPT_SECONDS
    for old in folder.glob("*.xml"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


def xml_path(sheet: SheetImport) -> Path | None:
    """The generated XML file of a conversion, while it is kept."""
    if not sheet.xml_path:
        return None
    path = Path(default_storage.path(sheet.xml_path))
    return path if path.is_file() else None
