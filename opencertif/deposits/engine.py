"""The deposit engine: receive a file, check it whole, then process its passages.

receive()  stores the file compressed (SHA-256, size limit), answers with the receipt and
           enqueues the processing on commit; the very same file already processed is
           answered with the first report.
process()  is the task body. It is idempotent and resumable: the state machine says where
           the deposit stands; passages are handled in batches, each committed with the
           deposit's progress counter, so a run killed mid-way resumes exactly after the
           last committed batch — no duplicate, no loss.
"""

import datetime
import gzip
import hashlib
import itertools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from opencertif.core import audit
from opencertif.deposits import assess, identity
from opencertif.deposits.enums import (
    AccountRole,
    Channel,
    DepositState,
    KoReason,
    PassageEventKind,
    PassageStatus,
)
from opencertif.deposits.format import reader
from opencertif.deposits.models import (
    Deposit,
    DepositAccount,
    Passage,
    PassageEvent,
    PassageResult,
)
from opencertif.deposits.services import may_deposit
from opencertif.organisations.models import Organisation

BATCH = 1000
CHUNK = 1 << 20


class DepositRefused(ValueError):
    """The upload cannot even be received (too big, empty): nothing is stored."""


class AlreadyProcessed(Exception):
    """Another run committed this batch first; this run stops without writing twice."""


def max_bytes() -> int:
    return settings.DEPOSIT_MAX_BYTES


def max_passages() -> int:
    return settings.DEPOSIT_MAX_PASSAGES


def storage_path(deposit_id: int | str) -> Path:
    return Path(default_storage.path(f"deposits/{deposit_id}.xml.gz"))


@transaction.atomic
def receive(
    *, organisation: Organisation, user, channel: str, name: str, stream: IO[bytes]
) -> Deposit:
    """Store an uploaded deposit and answer with its receipt (the Deposit).

    Refuses (DepositRefused, nothing stored) a file over DEPOSIT_MAX_BYTES or empty.
    Processing starts on commit, in a background task.
    """
    temporary = Path(default_storage.path(f"deposits/incoming-{uuid.uuid4().hex}.xml.gz"))
    temporary.parent.mkdir(parents=True, exist_ok=True)
    digest, size, limit = hashlib.sha256(), 0, max_bytes()
    try:
        with gzip.open(temporary, "wb", compresslevel=1) as out:
            while chunk := stream.read(CHUNK):
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
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    deposit = Deposit.objects.create(
        organisation=organisation,
        uploaded_by=user if getattr(user, "pk", None) else None,
        channel=channel,
        file_name=Path(name).name[:255] or "depot.xml",
        size=size,
        sha256=digest.hexdigest(),
    )
    final = storage_path(deposit.pk)
    temporary.replace(final)
    deposit.stored_path = str(final.relative_to(default_storage.location))
    deposit.save(update_fields=["stored_path"])
    audit.record(
        actor=user,
        action="deposit.received",
        obj=deposit,
        summary=f"{deposit.file_name}, {size} octets, canal {channel}",
    )
    first = (
        Deposit.objects.filter(
            organisation=organisation,
            sha256=deposit.sha256,
            state__in=(DepositState.DONE, DepositState.REJECTED),
            duplicate_of__isnull=True,
        )
        .exclude(pk=deposit.pk)
        .order_by("received_at")
        .first()
    )
    if first is not None:
        _answer_as_duplicate(deposit, first)
        return deposit
    if channel not in (Channel.CLI, Channel.FORM):
        # The command line and the declaration form process in the foreground.
        transaction.on_commit(lambda: enqueue(deposit.pk))
    return deposit


def enqueue(deposit_id: int) -> None:
    # Imported here: the task module imports this one.
    from opencertif.deposits.tasks import process_deposit

    process_deposit.enqueue(deposit_id)


def _answer_as_duplicate(deposit: Deposit, first: Deposit) -> None:
    deposit.duplicate_of = first
    for name in (
        "id_flux",
        "flux_timestamp",
        "action",
        "emitter_id_client",
        "certifier_id_client",
        "id_contract",
        "certifier_account",
        "passage_total",
        "ok_count",
        "ko_count",
        "unchanged_count",
        "deleted_count",
        "errors",
    ):
        setattr(deposit, name, getattr(first, name))
    deposit.processed = first.passage_total
    deposit.finished_at = timezone.now()
    deposit.transition(
        "answer_as_duplicate",
        note=f"Fichier identique au dépôt n° {first.pk} : son rapport fait réponse.",
        fields=(
            "duplicate_of",
            "id_flux",
            "flux_timestamp",
            "action",
            "emitter_id_client",
            "certifier_id_client",
            "id_contract",
            "certifier_account",
            "passage_total",
            "processed",
            "ok_count",
            "ko_count",
            "unchanged_count",
            "deleted_count",
            "errors",
            "finished_at",
        ),
    )


def open_stored(deposit: Deposit) -> IO[bytes]:
    return reader.open_file(default_storage.path(deposit.stored_path))


# ---------------------------------------------------------------- whole-file checks


def check_file(path: str | Path) -> tuple[reader.Envelope, list[reader.FileError]]:
    """Validate a file against the format only (no account checks, nothing stored)."""
    with reader.open_file(path) as stream:
        envelope, errors = reader.validate(stream, max_passages=max_passages())
    if (
        errors
        and errors[0].type == "XSD"
        and Path(path).stat().st_size < reader.FULL_ERROR_LIST_BELOW
    ):
        with reader.open_file(path) as stream:
            errors = reader.all_schema_errors(stream) or errors
    return envelope, errors


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


def process(deposit_id: int, *, progress=None) -> Deposit:
    """Run (or resume) the processing of a deposit. Safe to call twice.

    `progress(done, total)` is called after each committed batch of passages."""
    deposit = Deposit.objects.get(pk=deposit_id)
    try:
        if deposit.state == DepositState.RECEIVED:
            deposit.started_at = timezone.now()
            deposit.transition("start_validation", fields=("started_at",))
        if deposit.state == DepositState.VALIDATING:
            _validate(deposit)
        if deposit.state == DepositState.PROCESSING:
            _process_passages(deposit, progress)
    except AlreadyProcessed:
        # Another run is ahead on this deposit: it will finish it.
        deposit.refresh_from_db()
        return deposit
    except Exception as exc:
        deposit.refresh_from_db()
        if not deposit.is_final:
            deposit.failure = f"{type(exc).__name__}: {exc}"[:2000]
            deposit.finished_at = timezone.now()
            deposit.transition("fail", note=deposit.failure, fields=("failure", "finished_at"))
        raise
    return deposit


def _validate(deposit: Deposit) -> None:
    envelope, errors = check_file(default_storage.path(deposit.stored_path))
    certifier = None
    if not errors:
        certifier, errors = _account_errors(deposit, envelope)
    for name, value in (
        ("id_flux", envelope.id_flux[:50]),
        ("flux_timestamp", envelope.timestamp[:30]),
        ("action", envelope.action),
        ("emitter_id_client", envelope.emitter_id_client[:8]),
        ("certifier_id_client", envelope.certifier_id_client[:8]),
        ("id_contract", envelope.id_contract[:20]),
        ("passage_total", envelope.passage_count),
        (
            "certifications",
            [
                {"type": h.type, "code": h.code, "nature": h.nature, "passages": h.passages}
                for h in envelope.certifications
            ],
        ),
    ):
        setattr(deposit, name, value)
    fields = (
        "id_flux",
        "flux_timestamp",
        "action",
        "emitter_id_client",
        "certifier_id_client",
        "id_contract",
        "passage_total",
        "certifications",
    )
    if errors:
        deposit.errors = [vars(error) for error in errors]
        deposit.finished_at = timezone.now()
        deposit.transition("reject", fields=(*fields, "errors", "finished_at"))
        return
    deposit.certifier_account = certifier
    deposit.processing_started_at = deposit.heartbeat_at = timezone.now()
    deposit.transition(
        "start_processing",
        fields=(*fields, "certifier_account", "processing_started_at", "heartbeat_at"),
    )


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


def _process_passages(deposit: Deposit, progress=None) -> None:
    envelope = _envelope(deposit)
    run = _Run(
        deposit=deposit,
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
    _finish(deposit)


def _handle_batch(run: _Run, batch: list, start: int) -> None:
    outcomes = assess.assess(run.rules, batch)
    with transaction.atomic():
        now = timezone.now()
        write_passages(
            run.rules.certifier,
            [o for o in outcomes if o.write and not o.deleted],
            deposit_id=run.deposit.pk,
            now=now,
        )
        delete_passages(
            run.rules.certifier,
            [o.record.id_technique for o in outcomes if o.deleted],
            deposit=run.deposit,
            now=now,
        )
        _write_results(run.deposit, outcomes, start)
        counters = {
            "ok_count": sum(o.ok and not o.unchanged and not o.deleted for o in outcomes),
            "ko_count": sum(not o.ok for o in outcomes),
            "unchanged_count": sum(o.unchanged for o in outcomes),
            "deleted_count": sum(o.deleted for o in outcomes),
        }
        updated = Deposit.objects.filter(
            pk=run.deposit.pk, processed=start, state=DepositState.PROCESSING
        ).update(
            processed=start + len(batch),
            heartbeat_at=now,
            **{name: F(name) + value for name, value in counters.items()},
        )
        if updated != 1:
            # Another run already committed this batch: leave, without writing twice.
            raise AlreadyProcessed(f"dépôt {run.deposit.pk}, passages à partir de {start}")


_PASSAGE_COLUMNS = (
    "certifier_id",
    "id_technique",
    "status",
    "ko_reason",
    "ko_message",
    "certification_id",
    "certification_type",
    "certification_code",
    "person_id",
    "valid_from",
    "valid_until",
    "fields",
    "identity_kind",
    "identity",
    "holder_label",
    "content_hash",
    "status_before_deletion",
    "deleted_at",
    "deleted_by_id",
    "deletion_reason",
    "bulk_deletion_id",
    "purged_at",
    "last_deposit_id",
    "created_at",
    "updated_at",
)
_VALUE_COLUMNS = _PASSAGE_COLUMNS[2:-3]


def write_passages(
    certifier: DepositAccount, outcomes: list[assess.Outcome], *, deposit_id, now
) -> None:
    """Create or replace the passages of these outcomes, keyed by (certifier, idTechnique)."""
    if not outcomes:
        return
    rows = []
    for outcome in outcomes:
        values = assess.passage_values(outcome)
        rows.append(
            (
                certifier.pk,
                outcome.record.id_technique,
                *(values[column] for column in _VALUE_COLUMNS),
                deposit_id,
                now,
                now,
            )
        )
    updates = ", ".join(
        f"{column} = excluded.{column}"
        for column in _PASSAGE_COLUMNS
        if column not in ("certifier_id", "id_technique", "created_at")
    )
    table = Passage._meta.db_table
    columns = ", ".join(_PASSAGE_COLUMNS)
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
            placeholders = ", ".join(["%s"] * len(_PASSAGE_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
                f"ON CONFLICT (certifier_id, id_technique) DO UPDATE SET {updates}",
                rows,
            )


def delete_passages(
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


_RESULT_COLUMNS = (
    "deposit_id",
    "seq",
    "line",
    "id_technique",
    "ok",
    "unchanged",
    "deleted",
    "message",
    "near_misses",
    "holder_label",
    "certification_code",
)


def _write_results(deposit: Deposit, outcomes: list[assess.Outcome], start: int) -> None:
    rows = [
        (
            deposit.pk,
            start + offset,
            outcome.record.line,
            outcome.record.id_technique[:255],
            outcome.ok,
            outcome.unchanged,
            outcome.deleted,
            outcome.message,
            json.dumps(list(outcome.near_misses), ensure_ascii=False),
            outcome.holder_label,
            outcome.record.certification.code[:100],
        )
        for offset, outcome in enumerate(outcomes)
    ]
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


def _finish(deposit: Deposit) -> None:
    deposit.refresh_from_db()
    if deposit.state != DepositState.PROCESSING:
        return
    deposit.finished_at = timezone.now()
    deposit.transition("finish", fields=("finished_at",))
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
        | Q(state=DepositState.VALIDATING, started_at__lt=limit)
        | Q(state=DepositState.PROCESSING, heartbeat_at__lt=limit)
    )


@transaction.atomic
def retry(*, deposit: Deposit, by) -> None:
    """Start a failed deposit again (it resumes after its last committed batch)."""
    deposit.transition("retry", by=by)
    audit.record(actor=by, action="deposit.retried", obj=deposit)
    transaction.on_commit(lambda: enqueue(deposit.pk))


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
            .only("pk", "identity_kind", "identity", "ko_message")[:BATCH]
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
