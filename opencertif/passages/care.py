"""Looking after deposited passages: what a passage's page shows (every field, the history,
the near misses of a refused holder), who may declare for which certifier, declare, modify.

Every change goes through the same schema and the same per-passage rules as a deposit
(`reader.read_passage`, then `assess.assess`); a declaration even becomes a one-passage
deposit of its own (channel « formulaire »). A modification is written by
`deposits.lifecycle.modify`, in one transaction with a PassageEvent (the passage's
history, before and after values) and an AuditEntry (who, what, when: field names only,
never values). Deleting and restoring are `deposits.lifecycle`'s too.

Histories store codes (event kinds, statuses, verdicts); `history` gives each step its
code and its French label, which the page and the API show.
"""

import datetime
import io
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from opencertif.core import audit
from opencertif.deposits import assess, engine, lifecycle
from opencertif.deposits.enums import (
    AccountRole,
    Channel,
    KoReason,
    PassageEventKind,
    PassageStatus,
    Verdict,
)
from opencertif.deposits.format import reader, vocabulary, writer
from opencertif.deposits.lifecycle import PassageError
from opencertif.deposits.models import (
    Delegation,
    Deposit,
    DepositAccount,
    Passage,
    PassageResult,
)
from opencertif.people import identity

ENROLMENT_KEYS = {"access_mode", "vae_route", "initiative", "enrolment_date"}


class ConcurrentChange(PassageError):
    """The passage changed since the form was shown (or the form did not say which
    version it was shown with)."""


MISSING_VERSION = (
    "Ce formulaire ne dit pas quelle version du passage il modifie : vos changements "
    "n'ont pas été enregistrés. Rechargez la page pour partir de la dernière version du "
    "passage, puis refaites vos changements."
)


# ------------------------------------------------------------------ a passage's page


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
    if key == "status" and value in PassageStatus.values:
        return PassageStatus(value).label
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
class Change:
    """One value an event of the history changed: the field's code and French label,
    the stored values (codes) and as the page shows them (statuses by their label)."""

    field: str
    label: str
    before: object
    after: object

    @property
    def before_label(self) -> str:
        return display_value(self.field, self.before)

    @property
    def after_label(self) -> str:
        return display_value(self.field, self.after)


@dataclass
class HistoryEntry:
    at: datetime.datetime
    # A stable code: the verdict of a deposit's line (`Verdict`), else the event's kind
    # (`PassageEventKind`); `title` says it in French.
    code: str
    title: str
    actor: str = ""
    detail: str = ""
    changes: list[Change] | None = None
    deposit_id: int | None = None
    ok: bool | None = None


def _deposit_title(verdict: Verdict, deposit_id: int) -> str:
    return {
        Verdict.DELETED: f"Supprimé par le dépôt n° {deposit_id} (action SUPPRESSION)",
        Verdict.UNCHANGED: f"Renvoyé à l'identique par le dépôt n° {deposit_id}",
        Verdict.ACCEPTED: f"Accepté par le dépôt n° {deposit_id}",
    }.get(verdict, f"Refusé par le dépôt n° {deposit_id}")


def history(passage: Passage) -> list[HistoryEntry]:
    """What happened to the passage, oldest first: each deposit that named it (with what
    it answered) and each change made since (its events)."""
    entries = []
    events = list(passage.events.select_related("actor").order_by("at", "id"))
    # A SUPPRESSION deposit's line says the deletion; its event would say it twice.
    told_by_a_deposit = {event.deposit_id for event in events if event.deposit_id}
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
        verdict = result.verdict
        channel = deposit.get_channel_display().lower()
        entries.append(
            HistoryEntry(
                at=deposit.received_at,
                code=verdict,
                title=_deposit_title(verdict, deposit.pk),
                actor=f"{deposit.uploaded_by or deposit.organisation} ({channel})",
                detail=result.message,
                deposit_id=deposit.pk,
                ok=result.ok,
            )
        )
    for event in events:
        if event.deposit_id in told_by_a_deposit and event.kind == PassageEventKind.DELETED:
            continue
        changes = [
            Change(key, display_label(key), *pair) for key, pair in (event.changes or {}).items()
        ]
        title = event.get_kind_display()
        if event.bulk_deletion_id:
            title += f" (suppression en masse n° {event.bulk_deletion_id})"
        entries.append(
            HistoryEntry(
                at=event.at,
                code=event.kind,
                title=title,
                actor=audit.actor_name(event.actor, event.actor_label),
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
        outcome.refuse(
            f"Un passage identique existe déjà sous l'idTechnique {record.id_technique} : "
            "rien à déclarer.",
            KoReason.EXISTS,
            keep=False,
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
    values = {
        **assess.passage_values(outcome),
        "fields": record.fields,
        "identity": record.identity,
    }
    changes = _changes(
        {**before, "status": before_status, "certification_code": before_code},
        {
            **flatten(record.fields, record.identity, kind=record.identity_kind),
            "status": outcome.status,
            "certification_code": values["certification_code"],
        },
    )
    lifecycle.modify(
        passage=current,
        values=values,
        changes=changes,
        by=by,
        summary=f"{current.id_technique} : " + ", ".join(display_label(k) for k in changes),
    )
    passage.refresh_from_db()
    return outcome
