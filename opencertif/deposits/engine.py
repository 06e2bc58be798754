"""The deposit engine: receive a file, check it whole, then process its passages.

receive()  stores the file compressed (SHA-256, size limit), answers with the receipt and
           enqueues the processing on commit. A file identical to one sent before is
           processed again against today's state; the receipt says when it was first sent.
process()  is the task body. It is idempotent and resumable: the state machine says where
           the deposit stands; passages are handled in batches, each committed with the
           deposit's progress counter, so a run killed mid-way resumes exactly after the
           last committed batch — no duplicate, no loss.

A run holds the deposit by a claim (`run_token`) and beats `heartbeat_at` every few
seconds; a run whose claim was taken stops. A deposit whose heartbeat is older than
DEPOSIT_STALL_SECONDS is taken over by a live worker (`take_over_abandoned`); after
MAX_FRUITLESS_RUNS interrupted runs without progress it is failed for good. The whole-file
check reads the untrusted file in a child process (opencertif.core.isolation): a parser
crash rejects the file instead of killing the worker.
"""

import contextlib
import datetime
import errno
import gzip
import hashlib
import itertools
import json
import logging
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from opencertif.core import audit, isolation
from opencertif.deposits import assess, lifecycle
from opencertif.deposits.enums import (
    AccountRole,
    Channel,
    DepositState,
    Verdict,
)
from opencertif.deposits.format import reader
from opencertif.deposits.models import (
    Deposit,
    DepositAccount,
    Passage,
    PassageResult,
)
from opencertif.deposits.services import may_deposit
from opencertif.organisations.models import Organisation

log = logging.getLogger(__name__)

BATCH = 1000
CHUNK = 1 << 20
MAX_FRUITLESS_RUNS = 2
QUEUED = "q:"  # prefix of a claim set for a run still waiting in the queue

UNREADABLE = (
    "Le fichier n'a pas pu être lu : {why}. Vérifiez qu'il s'agit bien d'un fichier XML "
    "encodé en UTF-8, conforme au format de dépôt et sans déclaration DOCTYPE, puis "
    "déposez-le de nouveau."
)
STORAGE_UNAVAILABLE = (
    "Le service de dépôt est momentanément indisponible : le fichier n'a pas pu être "
    "enregistré et rien n'a été conservé. Réessayez dans quelques minutes ; si le problème "
    "persiste, signalez-le à l'équipe de la plateforme."
)


class DepositRefused(ValueError):
    """The upload cannot even be received (too big, empty, unreadable): nothing is stored."""


class StorageUnavailable(RuntimeError):
    """The platform cannot store the upload now (disk full, data folder not writable):
    nothing is stored; the caller answers « service momentanément indisponible » (503)."""

    def __init__(self, message: str = STORAGE_UNAVAILABLE):
        super().__init__(message)


class AlreadyProcessed(Exception):
    """Another run committed this batch first, or took the deposit over: this run stops
    without writing twice."""


def stall_seconds() -> int:
    return settings.DEPOSIT_STALL_SECONDS


def heartbeat_seconds() -> float:
    return settings.DEPOSIT_HEARTBEAT_SECONDS


def max_bytes() -> int:
    return settings.DEPOSIT_MAX_BYTES


def max_passages() -> int:
    return settings.DEPOSIT_MAX_PASSAGES


def storage_path(deposit_id: int | str) -> Path:
    return Path(default_storage.path(f"deposits/{deposit_id}.xml.gz"))


def _read(stream: IO[bytes]) -> bytes:
    try:
        return stream.read(CHUNK)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DepositRefused(
            "Le fichier compressé est illisible (archive .gz tronquée ou corrompue) : "
            "envoyez le fichier XML tel quel, ou compressez-le de nouveau."
        ) from exc


# Errors of the platform's own storage, not of the upload.
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


def _storage_error(exc: OSError) -> bool:
    return isinstance(exc, PermissionError) or exc.errno in _STORAGE_ERRNOS


def receive(
    *, organisation: Organisation, user, channel: str, name: str, stream: IO[bytes]
) -> Deposit:
    """Store an uploaded deposit and answer with its receipt (the Deposit).

    Refuses (DepositRefused, nothing stored) a file over DEPOSIT_MAX_BYTES, empty or
    unreadable; raises StorageUnavailable (nothing stored) when the platform cannot write
    it. Processing starts on commit, in a background task; a file identical to one sent
    before is processed again, and `same_file_as` names the first one.

    The upload is streamed to disk before any database write: a 200 MB upload never holds
    the database's write lock (SQLite has one for the whole base).
    """
    digest, size, limit = hashlib.sha256(), 0, max_bytes()
    temporary = None
    try:
        temporary = Path(default_storage.path(f"deposits/incoming-{uuid.uuid4().hex}.xml.gz"))
        temporary.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(temporary, "wb", compresslevel=1) as out:
            while chunk := _read(stream):
                size += len(chunk)
                if size > limit:
                    raise DepositRefused(
                        f"Le fichier dépasse la taille maximale d'un dépôt ({limit // 1_000_000} "
                        "Mo) : répartissez les passages sur plusieurs fichiers."
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise DepositRefused("Le fichier est vide.")
        with transaction.atomic():
            deposit = _record_receipt(
                organisation=organisation,
                user=user,
                channel=channel,
                name=name,
                size=size,
                sha256=digest.hexdigest(),
                temporary=temporary,
            )
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if _storage_error(exc):
            raise StorageUnavailable() from exc
        raise
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    return deposit


def _record_receipt(*, organisation, user, channel, name, size, sha256, temporary) -> Deposit:
    deposit = Deposit.objects.create(
        organisation=organisation,
        uploaded_by=user if getattr(user, "pk", None) else None,
        channel=channel,
        file_name=Path(name).name[:255] or "depot.xml",
        size=size,
        sha256=sha256,
        same_file_as=Deposit.objects.filter(organisation=organisation, sha256=sha256)
        .order_by("received_at", "pk")
        .first(),
    )
    final = storage_path(deposit.pk)
    deposit.stored_path = str(final.relative_to(default_storage.location))
    deposit.save(update_fields=["stored_path"])
    audit.record(
        actor=user,
        action="deposit.received",
        obj=deposit,
        summary=f"{deposit.file_name}, {size} octets, canal {channel}",
    )
    # Last: a rename cannot be rolled back with the rows.
    temporary.replace(final)
    if channel not in (Channel.CLI, Channel.FORM):
        # The command line and the declaration form process in the foreground.
        transaction.on_commit(lambda: enqueue(deposit.pk))
    return deposit


def enqueue(deposit_id: int) -> None:
    # Imported here: the task module imports this one.
    from opencertif.deposits.tasks import process_deposit

    process_deposit.enqueue(deposit_id)


def open_stored(deposit: Deposit) -> IO[bytes]:
    return reader.open_file(default_storage.path(deposit.stored_path))


# ---------------------------------------------------------------- whole-file checks


def check_file(path: str | Path, *, beat=None) -> tuple[reader.Envelope, list[reader.FileError]]:
    """Validate a file against the format only (no account checks, nothing stored).

    The file is read in a child process: whatever it holds, a crash or a runaway parse
    ends the child and comes back as a refusal of the file, never as the end of the
    worker. `beat()` is called every few seconds meanwhile."""
    try:
        return isolation.run(
            reader.check_path,
            str(path),
            max_passages=max_passages(),
            timeout=settings.DEPOSIT_CHECK_TIMEOUT_SECONDS,
            beat=beat,
            beat_every=heartbeat_seconds(),
        )
    except (isolation.ChildCrashed, isolation.ChildTimedOut) as exc:
        log.warning("contrôle du fichier %s : %s", Path(path).name, exc)
        return reader.Envelope(), [reader.FileError("XML", UNREADABLE.format(why=exc), 0, 0)]


def _account_errors(
    deposit: Deposit, envelope: reader.Envelope
) -> tuple[DepositAccount | None, list[reader.FileError]]:
    organisation = deposit.organisation
    own = DepositAccount.objects.active().filter(
        organisation=organisation, id_client=envelope.emitter_id_client
    )
    if not own.exists():
        return None, [
            reader.FileError(
                "ACCROCHAGE",
                (
                    f"L'idClient émetteur {envelope.emitter_id_client} n'est pas un identifiant "
                    f"de dépôt actif de {organisation}. Indiquez dans <emetteur> l'idClient "
                    "reçu pour votre organisme, et activez-le dans votre espace (Droits de "
                    "dépôt)."
                ),
            )
        ]
    certifier = DepositAccount.objects.filter(
        role=AccountRole.CERTIFIER,
        id_client=envelope.certifier_id_client,
        id_contract=envelope.id_contract,
    ).first()
    if certifier is None:
        return None, [
            reader.FileError(
                "ACCROCHAGE",
                (
                    "Aucun certificateur n'est enregistré avec l'idClient "
                    f"{envelope.certifier_id_client} et l'idContrat {envelope.id_contract}. "
                    "Vérifiez-les dans le courriel « identifiants d'inscription »."
                ),
            )
        ]
    if not may_deposit(
        organisation=organisation, id_client=certifier.id_client, id_contract=certifier.id_contract
    ):
        return None, [
            reader.FileError(
                "ACCROCHAGE",
                f"{organisation} n'est pas autorisé à déposer pour le certificateur "
                f"{certifier.id_client} : le certificateur doit activer ses droits, ou vous "
                "déléguer le dépôt.",
            )
        ]
    return certifier, []


# ---------------------------------------------------------------- the task body


def _beat(deposit_id: int, token: str) -> None:
    """Tell that this run is alive; stop it (AlreadyProcessed) if its claim was taken."""
    if not Deposit.objects.filter(pk=deposit_id, run_token=token).update(
        heartbeat_at=timezone.now()
    ):
        raise AlreadyProcessed(f"dépôt {deposit_id} repris par une autre exécution")


def _interrupted(deposit: Deposit, now) -> bool:
    """Whether the run that holds this deposit stopped without finishing it."""
    if not deposit.run_token or deposit.run_token.startswith(QUEUED):
        return False
    limit = now - datetime.timedelta(seconds=stall_seconds())
    return deposit.heartbeat_at is None or deposit.heartbeat_at < limit


def _count_interruption(deposit: Deposit) -> bool:
    """Count the interrupted run; fail the deposit for good (True) when it is the
    MAX_FRUITLESS_RUNS-th in a row without progress. The caller holds the row lock."""
    if deposit.processed > deposit.run_mark:
        deposit.fruitless_runs = 0
        return False
    deposit.fruitless_runs += 1
    if deposit.fruitless_runs < MAX_FRUITLESS_RUNS:
        return False
    deposit.fail(
        failure=UNREADABLE.format(
            why=(
                f"son traitement s'est interrompu {deposit.fruitless_runs} fois sans "
                "progresser (le programme qui le lisait s'est arrêté)"
            )
        ),
        fruitless_runs=deposit.fruitless_runs,
    )
    audit.record(actor=None, action="deposit.failed", obj=deposit, summary="interruptions")
    return True


def _claim(deposit_id: int) -> str | None:
    """Take the deposit for this run, or None when it is finished or held by a live run."""
    with transaction.atomic():
        deposit = Deposit.objects.select_for_update().get(pk=deposit_id)
        if deposit.is_final:
            return None
        now = timezone.now()
        queued_or_free = not deposit.run_token or deposit.run_token.startswith(QUEUED)
        if not queued_or_free and not _interrupted(deposit, now):
            return None  # another run is alive and holds it
        if not queued_or_free and _count_interruption(deposit):
            return None
        token = uuid.uuid4().hex
        deposit.run_token, deposit.run_mark, deposit.heartbeat_at = token, deposit.processed, now
        deposit.save(update_fields=["run_token", "run_mark", "heartbeat_at", "fruitless_runs"])
        return token


def _release(deposit_id: int, token: str) -> None:
    """A run stopped by the worker's own shutdown (not killed): let the next run resume
    at once instead of waiting for the heartbeat to age; the interruption still counts."""
    # The database may be what stopped us: then the heartbeat ages instead.
    with contextlib.suppress(Exception):
        Deposit.objects.filter(pk=deposit_id, run_token=token).update(heartbeat_at=None)


def process(deposit_id: int, *, progress=None) -> Deposit:
    """Run (or resume) the processing of a deposit. Safe to call twice.

    `progress(done, total)` is called after each committed batch of passages."""
    token = _claim(deposit_id)
    deposit = Deposit.objects.get(pk=deposit_id)
    if token is None:
        return deposit
    try:
        if deposit.state == DepositState.RECEIVED:
            deposit.start_validation()
        if deposit.state == DepositState.VALIDATING:
            _validate(deposit, token)
        if deposit.state == DepositState.PROCESSING:
            _process_passages(deposit, token, progress)
    except AlreadyProcessed:
        # Another run is ahead on this deposit: it will finish it.
        deposit.refresh_from_db()
        return deposit
    except Exception as exc:
        deposit.refresh_from_db()
        if not deposit.is_final and deposit.run_token == token:
            deposit.fail(failure=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    except BaseException:
        _release(deposit_id, token)
        raise
    return deposit


def _validate(deposit: Deposit, token: str) -> None:
    envelope, errors = check_file(
        default_storage.path(deposit.stored_path), beat=lambda: _beat(deposit.pk, token)
    )
    _beat(deposit.pk, token)
    certifier = None
    if not errors:
        certifier, errors = _account_errors(deposit, envelope)
    envelope_fields = {
        "id_flux": envelope.id_flux[:50],
        "flux_timestamp": envelope.timestamp[:30],
        "action": envelope.action,
        "emitter_id_client": envelope.emitter_id_client[:8],
        "certifier_id_client": envelope.certifier_id_client[:8],
        "id_contract": envelope.id_contract[:20],
        "passage_total": envelope.passage_count,
        "certifications": [
            {"type": h.type, "code": h.code, "nature": h.nature, "passages": h.passages}
            for h in envelope.certifications
        ],
    }
    if errors:
        deposit.reject(errors=[vars(error) for error in errors], envelope=envelope_fields)
        return
    deposit.start_processing(certifier_account=certifier, envelope=envelope_fields)


def _batches(records: Iterator, size: int) -> Iterator[list]:
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _envelope(deposit: Deposit) -> reader.Envelope:
    return reader.Envelope(
        id_flux=deposit.id_flux,
        action=deposit.action or "CREATION",
        emitter_id_client=deposit.emitter_id_client,
        certifier_id_client=deposit.certifier_id_client,
        id_contract=deposit.id_contract,
        certifications=[
            reader.CertificationHeader(index=index, **header)
            for index, header in enumerate(deposit.certifications)
        ],
        passage_count=deposit.passage_total,
    )


@dataclass
class _Run:
    deposit: Deposit
    rules: assess.Context
    token: str = ""


def _process_passages(deposit: Deposit, token: str, progress=None) -> None:
    envelope = _envelope(deposit)
    run = _Run(
        deposit=deposit,
        token=token,
        rules=assess.Context(
            certifier=deposit.certifier_account,
            emitter=deposit.emitter_id_client,
            fiches=assess.fiches_for(header.code for header in envelope.certifications),
            seen=set(
                PassageResult.objects.filter(deposit=deposit).values_list("id_technique", flat=True)
            ),
            deleting=envelope.action == "SUPPRESSION",
        ),
    )
    position = deposit.processed
    with open_stored(deposit) as stream:
        # Resuming after an interruption: what was committed is skipped, not redone.
        records = itertools.islice(reader.passages(stream, envelope), position, None)
        for batch in _batches(records, BATCH):
            _handle_batch(run, batch, position)
            position += len(batch)
            if progress:
                progress(position, deposit.passage_total)
    _finish(deposit, token)


def _handle_batch(run: _Run, batch: list, start: int) -> None:
    outcomes = assess.assess(run.rules, batch)
    counters = Counter(outcome.verdict.counter for outcome in outcomes)
    with transaction.atomic():
        now = timezone.now()
        # The progress counter first, guarded by the batch's start and this run's claim:
        # a run that overlaps another one steps aside here, before writing anything.
        updated = Deposit.objects.filter(
            pk=run.deposit.pk,
            processed=start,
            state=DepositState.PROCESSING,
            run_token=run.token,
        ).update(
            processed=start + len(batch),
            heartbeat_at=now,
            **{name: F(name) + value for name, value in counters.items()},
        )
        if updated != 1:
            raise AlreadyProcessed(f"dépôt {run.deposit.pk}, passages à partir de {start}")
        write_passages(
            run.rules.certifier,
            [o for o in outcomes if o.verdict.writes_passage],
            deposit_id=run.deposit.pk,
            now=now,
        )
        deleted = [o.record.id_technique for o in outcomes if o.verdict == Verdict.DELETED]
        if deleted:
            lifecycle.delete(
                Passage.objects.filter(certifier=run.rules.certifier, id_technique__in=deleted),
                by=run.deposit.uploaded_by,
                reason=f"Action SUPPRESSION du dépôt n° {run.deposit.pk}",
                deposit=run.deposit,
                now=now,
            )
        _write_results(run.deposit, outcomes, start)


# The columns keyed by (certifier, idTechnique) and the deposit's own; every other column
# a passage's upsert writes is named by `assess.passage_values`.
_KEY_COLUMNS = ("certifier_id", "id_technique")
_INSERTED_ONLY = ("created_at",)


def _passage_row(certifier, outcome: assess.Outcome, *, deposit_id, now) -> dict:
    """One passage's upsert, column by column (by name, never by position)."""
    return {
        "certifier_id": certifier.pk,
        "id_technique": outcome.record.id_technique,
        **assess.passage_values(outcome),
        "last_deposit_id": deposit_id,
        "created_at": now,
        "updated_at": now,
    }


def write_passages(
    certifier: DepositAccount, outcomes: list[assess.Outcome], *, deposit_id, now
) -> None:
    """Create or replace the passages of these outcomes, keyed by (certifier, idTechnique).

    The deposit's own write of a passage's status — the one writer outside
    `deposits.lifecycle`: a deposit sets the status its rules give (`assess`), with the
    content, in bulk; its PassageResult rows are the history of it."""
    if not outcomes:
        return
    # Raw SQL gets the database's own form of the instant, as the ORM would write it (on
    # SQLite a naive UTC text; an aware value would be stored with its "+00:00" suffix,
    # which the ORM's comparisons then miss).
    now = connection.ops.adapt_datetimefield_value(now)
    values = [
        _passage_row(certifier, outcome, deposit_id=deposit_id, now=now) for outcome in outcomes
    ]
    passage_columns = tuple(values[0])
    rows = [tuple(row[column] for column in passage_columns) for row in values]
    updates = ", ".join(
        f"{column} = excluded.{column}"
        for column in passage_columns
        if column not in _KEY_COLUMNS + _INSERTED_ONLY
    )
    table = Passage._meta.db_table
    columns = ", ".join(passage_columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY into a staging table, then one set-based upsert.
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS passage_staging ON COMMIT DELETE ROWS AS "
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY passage_staging ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM passage_staging "
                f"ON CONFLICT (certifier_id, id_technique) DO UPDATE SET {updates}"
            )
            cursor.execute("DELETE FROM passage_staging")
        else:
            placeholders = ", ".join(["%s"] * len(passage_columns))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
                f"ON CONFLICT (certifier_id, id_technique) DO UPDATE SET {updates}",
                rows,
            )


_RESULT_COLUMNS = ("deposit_id", *PassageResult.REPORT_FIELDS)


def _write_results(deposit: Deposit, outcomes: list[assess.Outcome], start: int) -> None:
    def values(seq: int, outcome: assess.Outcome) -> tuple:
        # Named, then ordered by the one column list: no value can slip to another column.
        named = {
            "deposit_id": deposit.pk,
            "seq": seq,
            "line": outcome.record.line,
            "id_technique": outcome.record.id_technique[:255],
            "ok": outcome.verdict.ok,
            "unchanged": outcome.verdict == Verdict.UNCHANGED,
            "deleted": outcome.verdict == Verdict.DELETED,
            "message": outcome.message,
            "near_misses": json.dumps(list(outcome.near_misses), ensure_ascii=False),
            "holder_label": outcome.holder_label,
            "certification_code": outcome.record.certification.code[:100],
        }
        return tuple(named[column] for column in _RESULT_COLUMNS)

    rows = [values(start + offset, outcome) for offset, outcome in enumerate(outcomes)]
    table = PassageResult._meta.db_table
    columns = ", ".join(_RESULT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(_RESULT_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def _finish(deposit: Deposit, token: str) -> None:
    deposit.refresh_from_db()
    if deposit.state != DepositState.PROCESSING or deposit.run_token != token:
        return
    deposit.finish()
    audit.record(
        actor=deposit.uploaded_by,
        action="deposit.processed",
        obj=deposit,
        summary=(
            f"{deposit.ok_count} OK, {deposit.ko_count} KO, {deposit.unchanged_count} inchangés, "
            f"{deposit.deleted_count} supprimés"
        ),
    )


def stalled(*, older_than_seconds: int = 120):
    """Deposits left unfinished by a worker that died: no progress for a while."""
    limit = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    return Deposit.objects.filter(
        Q(state=DepositState.RECEIVED, received_at__lt=limit)
        | Q(state__in=(DepositState.VALIDATING, DepositState.PROCESSING))
        & (Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True))
    )


def take_over_abandoned(*, older_than_seconds: int | None = None) -> list[int]:
    """Enqueue again the deposits whose run stopped beating (its worker died or hangs).

    Each is marked as queued, so that a later call does not enqueue it twice while the
    queue is busy; one interrupted too often without progress is failed instead. Returns
    the ids enqueued."""
    seconds = stall_seconds() if older_than_seconds is None else older_than_seconds
    limit = timezone.now() - datetime.timedelta(seconds=seconds)
    candidates = list(
        Deposit.objects.filter(
            Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True),
            state__in=(DepositState.VALIDATING, DepositState.PROCESSING),
        ).values_list("pk", flat=True)
    )
    enqueued = []
    for pk in candidates:
        with transaction.atomic():
            deposit = Deposit.objects.select_for_update().get(pk=pk)
            if deposit.is_final or (deposit.heartbeat_at and deposit.heartbeat_at >= limit):
                continue
            held = deposit.run_token and not deposit.run_token.startswith(QUEUED)
            if held and _count_interruption(deposit):
                continue
            deposit.run_token = QUEUED + uuid.uuid4().hex[:30]
            deposit.heartbeat_at = timezone.now()
            deposit.save(update_fields=["run_token", "heartbeat_at", "fruitless_runs"])
            transaction.on_commit(lambda pk=pk: enqueue(pk))
        enqueued.append(pk)
    return enqueued


def purge_stored_files(*, now=None) -> int:
    """Erase the stored files of deposits finished more than DEPOSIT_FILE_RETENTION_DAYS
    ago (the deposit, its counts and its report stay); return how many were erased."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.DEPOSIT_FILE_RETENTION_DAYS)
    erased = 0
    for pk, stored in (
        Deposit.objects.filter(
            state__in=(DepositState.DONE, DepositState.REJECTED, DepositState.FAILED),
            finished_at__lt=limit,
            file_purged_at__isnull=True,
        )
        .exclude(stored_path="")
        .values_list("pk", "stored_path")
        .iterator()
    ):
        Path(default_storage.path(stored)).unlink(missing_ok=True)
        erased += Deposit.objects.filter(pk=pk, file_purged_at__isnull=True).update(
            file_purged_at=now
        )
    return erased


@transaction.atomic
def retry(*, deposit: Deposit, by) -> None:
    """Start a failed deposit again (it resumes after its last committed batch)."""
    if deposit.file_purged_at:
        raise DepositRefused(
            "Le fichier de ce dépôt a été effacé (durée de conservation dépassée) : "
            "déposez-le de nouveau."
        )
    deposit.retry(by=by)
    audit.record(actor=by, action="deposit.retried", obj=deposit)
    transaction.on_commit(lambda: enqueue(deposit.pk))
