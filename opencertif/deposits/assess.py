"""What happens to each passage: the per-passage rules shared by every way in.

A deposit file (engine), a passage declared or modified in the certifier space, a row of a
spreadsheet: each becomes a PassageRecord and goes through `assess`, which applies the
same rules in the same order and says, per passage, OK or KO with the official message.
`assess` reads the database but writes nothing; the callers write.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson

from opencertif.deposits import checks
from opencertif.deposits.enums import KoReason, PassageStatus, Verdict
from opencertif.deposits.format import reader
from opencertif.deposits.models import DepositAccount, Passage
from opencertif.people import identity
from opencertif.registry.importers.values import NUMBER_RE
from opencertif.registry.models import Certification


def clean_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def fiches_for(codes: Iterable[str]) -> dict[str, checks.FicheFacts]:
    """What the checks need of the registry fiches named by these codes."""
    wanted = {clean_code(code) for code in codes}
    facts = {}
    for cert in Certification.objects.filter(number__in=wanted).prefetch_related("certifier_links"):
        facts[cert.number] = checks.FicheFacts(
            pk=cert.pk,
            number=cert.number,
            register=cert.register,
            start=cert.effect_date or cert.decision_date,
            end=cert.registration_end_date,
            delivery_limit=cert.delivery_limit_date,
            certifier_ids=frozenset(link.organisation_id for link in cert.certifier_links.all()),
        )
    return facts


def serialised(record: reader.PassageRecord) -> tuple[str, str, str]:
    """(fields JSON, identity JSON, content fingerprint), each computed once (orjson: this
    runs for every passage of every deposit)."""
    fields = orjson.dumps(record.fields, option=orjson.OPT_SORT_KEYS)
    identity_json = orjson.dumps(record.identity, option=orjson.OPT_SORT_KEYS)
    header = f"{record.certification.type}\x1f{record.certification.code}\x1f"
    payload = b"\x1f".join((header.encode(), fields, record.identity_kind.encode(), identity_json))
    return (
        fields.decode(),
        identity_json.decode(),
        hashlib.md5(payload).hexdigest(),  # noqa: S324 (a fingerprint, not a secret)
    )


def holder_label(kind: str, data: dict) -> str:
    """The holder's name as the sender wrote it, for lists and reports."""
    if kind == "dossier":
        label = f"{data.get('dossier_name') or ''} {data.get('dossier_first_name') or ''}"
    else:
        label = f"{data.get('birth_name') or ''} {data.get('first_name1') or ''}"
    return " ".join(label.split())[:130]


@dataclass
class Context:
    """What the rules need to know besides the passages themselves."""

    certifier: DepositAccount
    emitter: str  # the sender's idClient, quoted in the official messages
    fiches: dict[str, checks.FicheFacts]
    seen: set[str] = field(default_factory=set)
    deleting: bool = False
    # A modification made in the certifier space: an accepted passage may be replaced
    # (a deposit must delete it first, as on the official platform).
    replacing: bool = False


@dataclass
class Outcome:
    """What happens to one passage: the verdict, and what the callers write with it."""

    record: reader.PassageRecord
    # Until a rule decides, a refusal that leaves the stored passage as it is.
    verdict: Verdict = Verdict.DISCARDED
    message: str = ""
    reason: str = ""
    near_misses: tuple = ()
    fiche: checks.FicheFacts | None = None
    person_id: int | None = None
    content_hash: str = ""
    fields_json: str = ""
    identity_json: str = ""
    holder_label: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    @property
    def unchanged(self) -> bool:
        return self.verdict == Verdict.UNCHANGED

    @property
    def status(self) -> str:
        """The status of a passage the deposit writes (`Verdict.writes_passage`)."""
        return PassageStatus.OK if self.verdict == Verdict.ACCEPTED else PassageStatus.KO

    def refuse(self, message: str, reason: str, *, keep: bool = True) -> None:
        """Refuse the passage with the official message; `keep`: stored as a KO passage
        (else the stored passage, if any, stays as it is)."""
        self.verdict = Verdict.REFUSED if keep else Verdict.DISCARDED
        self.message, self.reason = message, reason


def existing_passages(certifier: DepositAccount, id_techniques: Iterable[str]) -> dict:
    return {
        row["id_technique"]: row
        for row in Passage.objects.filter(
            certifier=certifier, id_technique__in=list(id_techniques)
        ).values("pk", "id_technique", "status", "content_hash", "person_id")
    }


def assess(context: Context, batch: list[reader.PassageRecord]) -> list[Outcome]:
    """Apply the per-passage rules to a batch, in order; the same order as given."""
    certifier = context.certifier
    existing = existing_passages(certifier, (r.id_technique for r in batch))
    emitter = context.emitter
    outcomes = []
    to_match = []
    for record in batch:
        fields_json, identity_json, fingerprint = serialised(record)
        outcome = Outcome(
            record=record,
            content_hash=fingerprint,
            fields_json=fields_json,
            identity_json=identity_json,
            holder_label=holder_label(record.identity_kind, record.identity),
        )
        outcomes.append(outcome)
        current = existing.get(record.id_technique)
        if record.id_technique in context.seen:
            outcome.refuse(
                f"L'id technique {record.id_technique} figure plusieurs fois dans le fichier : "
                "seule sa première occurrence est traitée.",
                KoReason.DUPLICATE,
                keep=False,
            )
            continue
        context.seen.add(record.id_technique)
        if context.deleting:
            if current is None or current["status"] == PassageStatus.DELETED:
                outcome.refuse(
                    f"Aucun passage avec l'id technique {record.id_technique} n'a été déposé pour "
                    "ce certificateur : rien à supprimer.",
                    KoReason.UNKNOWN_PASSAGE,
                    keep=False,
                )
            elif current["person_id"] is None:
                outcome.verdict = Verdict.DELETED
            else:
                to_match.append((outcome, current))
            continue
        if current is not None and current["content_hash"] == outcome.content_hash:
            if current["status"] == PassageStatus.OK:
                outcome.verdict = Verdict.UNCHANGED
                continue
        elif (
            current is not None and current["status"] == PassageStatus.OK and not context.replacing
        ):
            outcome.refuse(
                f"Le passage certification avec le bcr émetteur {emitter} et l'id technique "
                f"partenaire {record.id_technique} existe déjà en base (avec un autre "
                "contenu) : pour le corriger, supprimez-le (action SUPPRESSION) puis "
                "déposez-le de nouveau.",
                KoReason.EXISTS,
                keep=False,
            )
            continue
        header = record.certification
        code = clean_code(header.code)
        fiche = context.fiches.get(code) if NUMBER_RE.match(code) else None
        problem = checks.certification_problem(
            header.type,
            header.code,
            fiche,
            certifier.organisation_id,
            emitter=emitter,
            id_technique=record.id_technique,
        )
        if problem:
            outcome.refuse(problem, KoReason.CERTIFICATION)
            continue
        outcome.fiche = fiche
        missing = checks.missing_fields(record.fields)
        if missing:
            outcome.refuse(
                "Donnée obligatoire absente pour une création : "
                + ", ".join(missing)
                + " (le dictionnaire des données l'exige même si le schéma la laisse facultative).",
                KoReason.MISSING,
            )
            continue
        problem = checks.dates_problem(record.fields, fiche)
        if problem:
            outcome.refuse(problem, KoReason.DATES)
            continue
        to_match.append((outcome, current))

    matches = identity.match(
        [(outcome.record.identity_kind, outcome.record.identity) for outcome, _ in to_match]
    )
    for (outcome, current), result in zip(to_match, matches, strict=True):
        if context.deleting:
            if result.person_id == current["person_id"]:
                outcome.verdict = Verdict.DELETED
            else:
                outcome.refuse(
                    "L'identification du titulaire ne correspond pas au passage à supprimer : "
                    "vérifiez l'id technique et l'identité.",
                    KoReason.IDENTITY,
                    keep=False,
                )
            continue
        if result.ok:
            outcome.verdict, outcome.person_id = Verdict.ACCEPTED, result.person_id
        else:
            outcome.refuse(result.message, KoReason.IDENTITY)
            outcome.near_misses = tuple(result.near_misses)
    return outcomes


def passage_values(outcome: Outcome) -> dict:
    """The Passage columns an outcome that creates or replaces a passage writes."""
    record = outcome.record
    fields = record.fields
    return {
        "status": outcome.status,
        "ko_reason": "" if outcome.ok else outcome.reason,
        "ko_message": "" if outcome.ok else outcome.message,
        "certification_id": outcome.fiche.pk if outcome.fiche else None,
        "certification_type": record.certification.type[:255],
        "certification_code": record.certification.code[:100],
        "person_id": outcome.person_id if outcome.ok else None,
        "valid_from": fields.get("valid_from") or None,
        "valid_until": fields.get("valid_until") or None,
        "fields": outcome.fields_json,
        "identity_kind": record.identity_kind,
        "identity": outcome.identity_json,
        "holder_label": outcome.holder_label,
        "content_hash": outcome.content_hash,
        "status_before_deletion": "",
        "deleted_at": None,
        "deleted_by_id": None,
        "deletion_reason": "",
        "bulk_deletion_id": None,
        "purged_at": None,
    }
