"""Looking after deposited passages: declare, modify, delete, restore, purge, history.

Every change goes through the same schema and the same per-passage rules as a deposit
(`reader.read_passage`, then `assess.assess`); a declaration even becomes a one-passage
deposit of its own (channel « formulaire »). Modifications, deletions and restorations are
written in one transaction with a PassageEvent (the passage's history, before and after
values) and an AuditEntry (who, what, when: field names only, never values).
"""

import base64
import binascii
import datetime
import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencertif.core import audit
from opencertif.deposits import assess, engine
from opencertif.deposits.enums import (
    AccountRole,
    Channel,
    KoReason,
    PassageEventKind,
    PassageStatus,
)
from opencertif.deposits.format import reader, vocabulary, writer
from opencertif.deposits.models import (
    Delegation,
    Deposit,
    DepositAccount,
    Passage,
    PassageEvent,
    PassageResult,
)
from opencertif.organisations.models import Organisation
from opencertif.people import identity

PURGE_BATCH = 1000
MAX_ID = 2**63 - 1  # the largest value of a bigint column
ENROLMENT_KEYS = {"access_mode", "vae_route", "initiative", "enrolment_date"}


class PassageError(ValueError):
    """A change that cannot be made; the message says why and what to do."""


class ConcurrentChange(PassageError):
    """The passage changed since the form was shown (or the form did not say which
    version it was shown with)."""


MISSING_VERSION = (
    "Ce formulaire ne dit pas quelle version du passage il modifie : vos changements "
    "n'ont pas été enregistrés. Rechargez la page pour partir de la dernière version du "
    "passage, puis refaites vos changements."
)


# ------------------------------------------------------------------ reading


def of_organisation(organisation: Organisation):
    """Passages an organisation may see and look after: those of its certifier accounts,
    and those it deposited for a certifier that still delegates deposit to it."""
    return Passage.objects.of_organisations([organisation.pk])


def is_id(value: int) -> bool:
    """Could a database row carry this id? (Beyond 64 bits SQLite raises and PostgreSQL
    refuses the comparison: such a number names nothing.)"""
    return 0 < value <= MAX_ID


# ------------------------------------------------------------------ the list's filters


class FilterError(PassageError):
    """Query-string parameters of the list that cannot be read: {parameter: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(f"{name} : {message}" for name, message in errors.items()))
        self.errors = errors


SORTS = {
    "-recu": ("-created_at", "-id"),
    "recu": ("created_at", "id"),
    "id": ("id_technique", "id"),
    "titulaire": ("holder_label", "id"),
    "-validite": ("-valid_from", "-id"),
    "validite": ("valid_from", "id"),
}
DEFAULT_SORT = "-recu"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class Filters:
    """The list's selection, as the web page and the API both take it from the query
    string (same parameter names, same checks: `read_filters`)."""

    q: str = ""
    id_technique: str = ""
    statut: str = ""
    certification: str = ""
    depot: int | None = None
    valide_du: datetime.date | None = None
    valide_au: datetime.date | None = None
    obtention: str = ""
    acces: str = ""
    tri: str = DEFAULT_SORT

    @property
    def searched(self) -> bool:
        return bool(self.q or self.id_technique)

    @property
    def countable(self) -> bool:
        """Can an index count the selection? (certifier, status) serves the status, the
        unique (certifier, idTechnique) the exact idTechnique; any other filter would read
        every passage of the organisation to count them."""
        return not (
            self.q
            or self.certification
            or self.depot
            or self.valide_du
            or self.valide_au
            or self.obtention
            or self.acces
        )

    def criteria(self) -> dict[str, str]:
        """The filters worth recording in the audit trail: never the typed text (a name
        or an idTechnique), only whether there was one."""
        kept = {
            "statut": self.statut,
            "certification": self.certification,
            "depot": str(self.depot or ""),
            "valide_du": self.valide_du.isoformat() if self.valide_du else "",
            "valide_au": self.valide_au.isoformat() if self.valide_au else "",
            "obtention": self.obtention,
            "acces": self.acces,
        }
        criteria = {key: value for key, value in kept.items() if value}
        if self.searched:
            criteria["recherche"] = "oui"
        return criteria


def _date(value: str) -> datetime.date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def read_filters(params) -> tuple[Filters, dict[str, str]]:
    """The list's filters from query-string parameters (a QueryDict or a dict of texts):
    the filters that could be read, and {parameter: message saying what to write} for
    the others, which are left out. The web page shows the messages beside its fields;
    the API answers 400 with them."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return str(params.get(name) or "").strip()

    for name, limit in (("q", 255), ("id_technique", 255)):
        value = text(name)
        if len(value) > limit:
            errors[name] = f"Écrivez {limit} caractères au plus."
        elif value:
            values[name] = value
    status = text("statut").lower()
    if status and status not in PassageStatus.values:
        errors["statut"] = (
            "Statut inconnu : choisissez ok (acceptés), ko (refusés) ou deleted (supprimés)."
        )
    elif status:
        values["statut"] = status
    code = text("certification").upper()
    if len(code) > 100:
        errors["certification"] = (
            "Indiquez le code d'une certification (ex. : RNCP34762), 100 caractères au plus."
        )
    elif code:
        values["certification"] = code
    depot = text("depot")
    if depot:
        number = int(depot) if depot.isascii() and depot.isdigit() and len(depot) < 25 else 0
        if is_id(number):
            values["depot"] = number
        else:
            errors["depot"] = "Indiquez le numéro d'un dépôt : un nombre entier positif."
    for name in ("valide_du", "valide_au"):
        value = text(name)
        if not value:
            continue
        try:
            values[name] = _date(value)
        except ValueError:
            errors[name] = "Date invalide : écrivez-la JJ/MM/AAAA (ou AAAA-MM-JJ)."
    for name, vocabulary_values in (
        ("obtention", vocabulary.OBTAINED_BY),
        ("acces", vocabulary.ACCESS_MODES),
    ):
        value = text(name).upper()
        allowed = [key for key, _label in vocabulary_values]
        if value and value not in allowed:
            errors[name] = "Valeur inconnue : choisissez parmi " + ", ".join(allowed) + "."
        elif value:
            values[name] = value
    sort = text("tri")
    if sort and sort not in SORTS:
        errors["tri"] = "Tri inconnu : choisissez parmi " + ", ".join(SORTS) + "."
    elif sort:
        values["tri"] = sort
    return Filters(**values), errors


def filtered(queryset, filters: Filters):
    """The passages of `queryset` (a scope: `of_organisation`, `visible_to`) that the
    filters select, in the filters' order. Without a status, deleted passages are left
    out."""
    if filters.statut:
        queryset = queryset.filter(status=filters.statut)
    else:
        queryset = queryset.exclude(status=PassageStatus.DELETED)
    if filters.q:
        queryset = queryset.filter(
            Q(id_technique__icontains=filters.q) | Q(holder_label__icontains=filters.q)
        )
    if filters.id_technique:
        queryset = queryset.filter(id_technique=filters.id_technique)
    if filters.certification:
        queryset = queryset.filter(certification_code=filters.certification)
    if filters.depot:
        queryset = queryset.filter(last_deposit_id=filters.depot)
    if filters.valide_du:
        queryset = queryset.filter(valid_from__gte=filters.valide_du)
    if filters.valide_au:
        queryset = queryset.filter(valid_from__lte=filters.valide_au)
    if filters.obtention:
        queryset = queryset.filter(fields__obtained_by=filters.obtention)
    if filters.acces:
        queryset = queryset.filter(fields__enrolment__access_mode=filters.acces)
    return queryset.order_by(*SORTS[filters.tri])


# ------------------------------------------------------------------ paging by key


def cursor_of(passage: Passage) -> str:
    """Where the next page starts, after this passage, in the default order (most
    recently received first): an opaque text for the API's `apres` parameter."""
    key = f"{passage.created_at.isoformat()}|{passage.pk}"
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def after(queryset, cursor: str):
    """The passages after the cursor in the default order. Raises FilterError when the
    cursor is not one `cursor_of` wrote."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        moment, pk = datetime.datetime.fromisoformat(moment), int(pk)
        if timezone.is_naive(moment) or not is_id(pk):
            raise ValueError(cursor)
        following = moment + datetime.timedelta(microseconds=1)
    except (ValueError, OverflowError, UnicodeError, binascii.Error) as exc:
        raise FilterError(
            {
                "apres": "Curseur illisible : reprenez la liste depuis le lien « next » "
                "de la page précédente."
            }
        ) from exc
    # "Received in the same instant" is written as a range one microsecond wide (the
    # finest a timestamp holds) rather than an equality: on SQLite, bases written before
    # December 2026 hold the engine's instants with a "+00:00" suffix, which equality and
    # <= against the ORM's values miss, while < and >= stay right. The first filter alone is what an
    # index on (certifier, created_at, id) seeks to.
    return queryset.filter(created_at__lt=following).filter(
        Q(created_at__lt=moment) | Q(created_at__gte=moment, id__lt=pk)
    )


# ------------------------------------------------------------------ reads, audited


AUDITED_IDS = 1000


def record_read(
    *,
    action: str,
    obj,
    by=None,
    actor_label: str = "",
    ids: list[int],
    count: int | None = None,
    filters: Filters | None = None,
) -> None:
    """Record that holder data was read: who, which passages (their ids, the first
    AUDITED_IDS of a long export), how many, with which filters — never a holder's
    identity nor the text that was typed to search."""
    changes: dict[str, object] = {"ids": ids[:AUDITED_IDS]}
    if count is not None:
        changes["count"] = count
    if len(ids) > AUDITED_IDS:
        changes["ids_truncated"] = True
    if filters is not None and filters.criteria():
        changes["criteria"] = filters.criteria()
    shown = count if count is not None else len(ids)
    audit.record(
        actor=by,
        actor_label=actor_label,
        action=action,
        obj=obj,
        summary=f"{shown} passage(s)",
        changes=changes,
    )


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


def flatten(fields: dict, identity_data: dict, *, kind: str = "") -> dict[str, object]:
    """A passage's content as {code name: value}, nested groups flattened."""
    flat: dict[str, object] = {}
    for key, value in fields.items():
        if key == "enrolment":
            if value is None:
                flat["access_mode"] = None
            else:
                flat.update(value)
        elif key == "digital_level":
            value = value or {}
            if "overall_score" in value:
                flat["overall_score"] = value["overall_score"]
            for index, result in enumerate(value.get("results") or [], 1):
                flat[f"digital_result_{index}"] = " / ".join(
                    str(result.get(part) or "–") for part in ("level", "domain", "competence")
                )
        else:
            flat[key] = value
    if kind:
        flat["identity_kind"] = kind
    flat.update(identity_data)
    return flat


def display_value(key: str, value) -> str:
    if key == "nir":
        return vocabulary.mask_nir(value or "")
    if key in ("exam_start", "exam_end", "valid_from", "valid_until", "enrolment_date") and value:
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    return vocabulary.value_label(key, value)


def display_label(key: str) -> str:
    if key.startswith("digital_result_"):
        return f"Résultat DigComp {key.rsplit('_', 1)[1]} (niveau / domaine / compétence)"
    if key == "identity_kind":
        return "Identification du titulaire"
    return vocabulary.label_of(key)


def describe(passage: Passage) -> dict[str, list[tuple[str, str]]]:
    """Every field of a passage, by group, labelled in French (the NIR masked)."""
    fields = passage.fields or {}
    identity_data = passage.identity or {}
    groups = {"passage": [], "enrolment": [], "holder": []}
    for key, value in sorted(flatten(fields, {}).items(), key=_display_order):
        group = "enrolment" if key in ENROLMENT_KEYS else "passage"
        groups[group].append((display_label(key), display_value(key, value)))
    for key, value in sorted(identity_data.items(), key=_display_order):
        groups["holder"].append((display_label(key), display_value(key, value)))
    return groups


def _display_order(item: tuple[str, object]) -> tuple[int, str]:
    """Fields in the order of the official form (stored JSON has its keys sorted)."""
    key = item[0]
    order = vocabulary.DISPLAY_ORDER
    return (order.index(key) if key in order else len(order), key)


@dataclass
class HistoryEntry:
    at: datetime.datetime
    title: str
    actor: str = ""
    detail: str = ""
    changes: list[tuple[str, str, str]] | None = None
    deposit_id: int | None = None
    ok: bool | None = None


def history(passage: Passage) -> list[HistoryEntry]:
    """What happened to the passage, oldest first: each deposit that named it (with what
    it answered) and each change made in the space."""
    entries = []
    results = (
        PassageResult.objects.filter(
            id_technique=passage.id_technique,
            deposit__certifier_account_id=passage.certifier_id,
        )
        .select_related("deposit", "deposit__uploaded_by", "deposit__organisation")
        .order_by("deposit__received_at", "deposit_id")
    )
    for result in results:
        deposit = result.deposit
        if result.deleted:
            title = f"Supprimé par le dépôt n° {deposit.pk} (action SUPPRESSION)"
        elif result.unchanged:
            title = f"Renvoyé à l'identique par le dépôt n° {deposit.pk}"
        elif result.ok:
            title = f"Accepté par le dépôt n° {deposit.pk}"
        else:
            title = f"Refusé par le dépôt n° {deposit.pk}"
        channel = deposit.get_channel_display().lower()
        entries.append(
            HistoryEntry(
                at=deposit.received_at,
                title=title,
                actor=f"{deposit.uploaded_by or deposit.organisation} ({channel})",
                detail=result.message,
                deposit_id=deposit.pk,
                ok=result.ok,
            )
        )
    for event in passage.events.select_related("actor").order_by("at", "id"):
        changes = [
            (display_label(key), *(display_value(key, value) for value in pair))
            for key, pair in (event.changes or {}).items()
        ]
        entries.append(
            HistoryEntry(
                at=event.at,
                title=event.get_kind_display(),
                actor=event.actor_label or str(event.actor or "système"),
                detail=event.reason,
                changes=changes or None,
            )
        )
    entries.sort(key=lambda entry: entry.at)
    return entries


def identity_hints(passage: Passage) -> list[str]:
    """For a passage refused for want of a holder: why, as of now, and the near misses
    (which field differs from someone born the same day; never who)."""
    if passage.status != PassageStatus.KO or passage.ko_reason != KoReason.IDENTITY:
        return []
    [result] = identity.match([(passage.identity_kind, passage.identity or {})])
    return list(result.near_misses)


# ------------------------------------------------------------------ who may declare


@dataclass(frozen=True)
class DeclarationRoute:
    """An (emitter, certifier) pair an organisation may deposit with."""

    emitter: DepositAccount
    certifier: DepositAccount

    @property
    def key(self) -> str:
        return f"{self.emitter.pk}-{self.certifier.pk}"

    @property
    def label(self) -> str:
        certifier = self.certifier.organisation.display_name
        if self.emitter == self.certifier:
            return f"{certifier} ({self.certifier.id_client})"
        return (
            f"{certifier} ({self.certifier.id_client}), déposé par "
            f"{self.emitter.organisation.display_name} ({self.emitter.id_client})"
        )


def routes_for(organisations) -> list[DeclarationRoute]:
    """Every certifier the organisations may declare passages for, with the emitter to use:
    their own activated certifier accounts, and the certifiers that delegated to their
    activated depositor accounts."""
    routes = []
    own = (
        DepositAccount.objects.active()
        .filter(organisation__in=organisations, role=AccountRole.CERTIFIER)
        .select_related("organisation")
    )
    routes.extend(DeclarationRoute(account, account) for account in own)
    delegations = (
        Delegation.objects.active()
        .filter(
            depositor__organisation__in=organisations,
            depositor__activated_at__isnull=False,
        )
        .select_related("depositor__organisation", "certifier__organisation")
    )
    routes.extend(DeclarationRoute(d.depositor, d.certifier) for d in delegations)
    return routes


# ------------------------------------------------------------------ checking one passage


def read(
    data: dict, *, certification_type: str, code: str, nature: str = ""
) -> tuple[reader.PassageRecord | None, list[str]]:
    """A passage given in code names (writer's shape) checked against the schema and read
    back as a deposit would read it; or the schema's messages."""
    header = reader.CertificationHeader(index=0, type=certification_type, code=code, nature=nature)
    record, errors = reader.read_passage(writer.passage_document(data), header)
    return record, [error.message for error in errors]


def check(
    *, record: reader.PassageRecord, certifier: DepositAccount, emitter: str, replacing: bool
) -> assess.Outcome:
    """The per-passage rules of a deposit applied to one passage; nothing is written."""
    context = assess.Context(
        certifier=certifier,
        emitter=emitter,
        fiches=assess.fiches_for([record.certification.code]),
        replacing=replacing,
    )
    return assess.assess(context, [record])[0]


# ------------------------------------------------------------------ declare


def new_id_technique() -> str:
    return f"DECL-{uuid.uuid4().hex[:16].upper()}"


def declare(
    *, route: DeclarationRoute, record: reader.PassageRecord, data: dict, by
) -> tuple[assess.Outcome, Deposit | None]:
    """Declare one passage typed in the form. It is checked first; when it would be
    refused, nothing is stored and the outcome says why. Otherwise it becomes a one-passage
    deposit (channel « formulaire »), processed at once by the deposit engine."""
    outcome = check(
        record=record,
        certifier=route.certifier,
        emitter=route.emitter.id_client,
        replacing=False,
    )
    if not outcome.ok:
        return outcome, None
    if outcome.unchanged:
        outcome.ok = False
        outcome.message = (
            f"Un passage identique existe déjà sous l'idTechnique {record.id_technique} : "
            "rien à déclarer."
        )
        return outcome, None
    out = io.StringIO()
    writer.write(
        out,
        id_flux=str(uuid.uuid4()),
        timestamp=timezone.localtime().replace(microsecond=0).isoformat(),
        emitter_id_client=route.emitter.id_client,
        certifier_id_client=route.certifier.id_client,
        id_contract=route.certifier.id_contract,
        certifications=[(record.certification.type, record.certification.code, [data])],
        action="CREATION",
        nature="CERTIFICATEUR" if route.emitter == route.certifier else "TIERS_CONFIANCE",
    )
    deposit = engine.receive(
        organisation=route.emitter.organisation,
        user=by,
        channel=Channel.FORM,
        name=f"declaration-{record.id_technique}.xml"[:255],
        stream=io.BytesIO(out.getvalue().encode("utf-8")),
    )
    deposit = engine.process(deposit.pk)
    return outcome, deposit


# ------------------------------------------------------------------ modify


def _changes(before: dict, after: dict) -> dict[str, list]:
    """Before/after values of what changed; a NIR only masked (the history keeps no NIR in
    clear: the passage itself holds the one its sender wrote)."""
    keys = list(before) + [key for key in after if key not in before]
    changed = {
        key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)
    }
    if "nir" in changed:
        changed["nir"] = [
            vocabulary.mask_nir(value) if value else value for value in changed["nir"]
        ]
    return changed


@transaction.atomic
def modify(
    *, passage: Passage, record: reader.PassageRecord, by, expected_hash: str
) -> assess.Outcome:
    """Replace a passage's content with a corrected one, re-checked and re-matched like a
    deposit. Nothing is written when the result would be refused (the outcome says why),
    when nothing changed, or when the passage changed since the form was shown.

    `expected_hash` is the passage's `content_hash` when the form was shown; without it
    nothing is written: a form that leaves it out could silently undo a colleague's or a
    deposit's change."""
    if not expected_hash:
        raise ConcurrentChange(MISSING_VERSION)
    current = Passage.objects.select_for_update().get(pk=passage.pk)
    if current.content_hash != expected_hash:
        raise ConcurrentChange(
            "Ce passage a été modifié entre-temps (par un collègue ou par un dépôt) : "
            "vos changements n'ont pas été enregistrés. Rechargez la page pour partir de "
            "la dernière version."
        )
    if current.status == PassageStatus.DELETED:
        raise PassageError("Ce passage est supprimé : restaurez-le avant de le modifier.")
    outcome = check(
        record=record,
        certifier=current.certifier,
        emitter=current.certifier.id_client,
        replacing=True,
    )
    if not outcome.ok or outcome.unchanged:
        return outcome
    before = flatten(current.fields, current.identity, kind=current.identity_kind)
    before_status, before_code = current.status, current.certification_code
    values = assess.passage_values(outcome)
    for name, value in values.items():
        setattr(current, name, value)
    current.fields, current.identity = record.fields, record.identity
    current.updated_at = timezone.now()
    current.save()
    changes = _changes(
        {**before, "status": before_status, "certification_code": before_code},
        {
            **flatten(record.fields, record.identity, kind=record.identity_kind),
            "status": current.status,
            "certification_code": current.certification_code,
        },
    )
    PassageEvent.objects.create(
        passage=current,
        kind=PassageEventKind.MODIFIED,
        actor=by,
        actor_label=_label(by, ""),
        changes=changes,
    )
    audit.record(
        actor=by,
        action="passage.modified",
        obj=current,
        summary=f"{current.id_technique} : " + ", ".join(display_label(k) for k in changes),
        changes=dict.fromkeys(changes, "modifié"),
    )
    passage.refresh_from_db()
    return outcome


# ------------------------------------------------------------------ delete, restore


def _label(by, actor_label: str) -> str:
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
        bulk_deletion=None,
        updated_at=now,
    )
    PassageEvent.objects.create(
        passage=current,
        kind=PassageEventKind.DELETED,
        actor=by,
        actor_label=_label(by, actor_label),
        reason=reason[:500],
        changes={"status": [current.status, PassageStatus.DELETED]},
    )
    audit.record(
        actor=by,
        actor_label=_label(by, actor_label),
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
        bulk_deletion=None,
        updated_at=timezone.now(),
    )
    PassageEvent.objects.create(
        passage=current,
        kind=PassageEventKind.RESTORED,
        actor=by,
        actor_label=_label(by, actor_label),
        changes={"status": [PassageStatus.DELETED, previous]},
    )
    audit.record(
        actor=by,
        actor_label=_label(by, actor_label),
        action="passage.restored",
        obj=current,
        summary=current.id_technique,
    )
    passage.refresh_from_db()


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
