"""Public verification of the platform's signed documents: a CV PDF (PAdES) or a
credential (VC-JWT).

A verdict says whether the signature is intact, covers the whole file and was made with
the platform's key, then re-checks each guaranteed entry against today's data: still
valid, modified since, or withdrawn by its certifier (deleted, purged) — of a withdrawn
entry only the date is told, never what it stated. Bad input never raises: an empty,
oversized, truncated, encrypted or random file, a decompression bomb each get a plain
French problem. The upload is bounded (PASSPORT_VERIFY_MAX_BYTES) and read in memory."""

import base64
import datetime
import hashlib
import io
import json
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.models import Passage
from opencertif.passports import keys, pdf
from opencertif.passports.documents import DECLARATIVE, GUARANTEED, french_date
from opencertif.passports.enums import EntryStatus
from opencertif.passports.models import SignedDocument

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
# Only the first signatures of a file are looked at: ours carry one.
MAX_SIGNATURES = 4

EMPTY = "Le fichier est vide."
NOT_PDF = "Ce fichier n'est pas un PDF lisible."
ENCRYPTED = (
    "Ce PDF est protégé par un mot de passe (chiffré) : il ne peut pas être vérifié. "
    "Déposez le fichier tel qu'opencertif l'a émis."
)
UNSIGNED = "Ce PDF ne porte aucune signature électronique."
MODIFIED = "Le document a été modifié après sa signature."
APPENDED = (
    "Le document a été modifié après sa signature : du contenu a été ajouté à la fin du "
    "fichier signé."
)
BAD_SIGNATURE = "La signature électronique de ce document est illisible ou invalide."
NOT_OURS = "Le document n'est pas signé par opencertif."
UNKNOWN_DOCUMENT = (
    "La signature est celle d'opencertif, mais ce document n'est pas enregistré sur cette "
    "plateforme : ses certifications ne peuvent pas être revérifiées."
)
NOT_CREDENTIAL = "Ce fichier n'est pas une attestation numérique (VC-JWT) lisible."
CREDENTIAL_MODIFIED = "L'attestation a été modifiée après sa signature."
CREDENTIAL_NOT_OURS = "L'attestation n'est pas signée par opencertif."
WITHDRAWN_LABEL = "Certification retirée par le certificateur"


def too_big_message() -> str:
    limit = settings.PASSPORT_VERIFY_MAX_BYTES
    return (
        f"Le fichier dépasse la taille maximale acceptée pour une vérification "
        f"({limit / MIB:g} Mo) : déposez le PDF ou l'attestation tels qu'opencertif les a émis."
    )


@dataclass
class EntryCheck:
    """One entry of a signed document, as it is today."""

    kind: str  # GUARANTEED or DECLARATIVE
    label: str
    status: str  # EntryStatus
    date: datetime.date | None = None
    details: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """What the page says of the entry, in French."""
        when = french_date(self.date) if self.date else ""
        if self.status == EntryStatus.VALID:
            return "Garanti — toujours valide"
        if self.status == EntryStatus.MODIFIED:
            return f"Modifié le {when}" if when else "Modifié depuis l'émission"
        if self.status == EntryStatus.WITHDRAWN:
            return (
                f"Retiré par le certificateur le {when}" if when else "Retiré par le certificateur"
            )
        if self.status == EntryStatus.DECLARATIVE:
            return "Déclaratif — non vérifié"
        return "Introuvable"

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "status": str(self.status),
            "date": self.date.isoformat() if self.date else None,
            "message": self.message,
        }


@dataclass
class Verdict:
    """The result of a verification. `valid` is true only when the signature is intact,
    covers the whole file and was made with the platform's key."""

    valid: bool = False
    problems: list[str] = field(default_factory=list)
    signer: str = ""
    signed_at: datetime.datetime | None = None
    document: SignedDocument | None = None
    entries: list[EntryCheck] = field(default_factory=list)

    @property
    def guaranteed(self) -> list[EntryCheck]:
        return [e for e in self.entries if e.kind == GUARANTEED]

    @property
    def declarative(self) -> list[EntryCheck]:
        return [e for e in self.entries if e.kind == DECLARATIVE]

    def as_json(self) -> dict:
        document = self.document
        return {
            "valid": self.valid,
            "problems": list(self.problems),
            "signer": self.signer or None,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "document": (
                {
                    "id": str(document.id),
                    "kind": document.kind,
                    "issued_at": document.issued_at.isoformat(),
                    "holder_name": document.holder_name,
                    "title": document.title,
                }
                if document
                else None
            ),
            "entries": [entry.as_json() for entry in self.entries],
        }


# ------------------------------------------------------------------ today's data


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


def recheck(document: SignedDocument) -> list[EntryCheck]:
    """Each entry of a signed document against today's data. A guaranteed entry is
    `valid` (same passage, same content, still accepted), `modified` (its content or
    status changed: the date of the change), `withdrawn` (deleted or purged by its
    certifier, or gone: the date of the deletion, and nothing of what it stated) or
    `unknown`."""
    ids = [e.get("passage") for e in document.entries if e.get("kind") == GUARANTEED]
    passages = Passage.objects.in_bulk([pk for pk in ids if isinstance(pk, int)])
    checks = []
    for entry in document.entries:
        if entry.get("kind") != GUARANTEED:
            checks.append(
                EntryCheck(DECLARATIVE, str(entry.get("label", "")), EntryStatus.DECLARATIVE)
            )
            continue
        pk = entry.get("passage")
        if not isinstance(pk, int):
            checks.append(EntryCheck(GUARANTEED, "Entrée illisible", EntryStatus.UNKNOWN))
            continue
        passage = passages.get(pk)
        label = str(entry.get("label", ""))
        if passage is None:
            checks.append(EntryCheck(GUARANTEED, WITHDRAWN_LABEL, EntryStatus.WITHDRAWN))
        elif passage.status == PassageStatus.DELETED or passage.purged_at:
            checks.append(
                EntryCheck(
                    GUARANTEED,
                    WITHDRAWN_LABEL,
                    EntryStatus.WITHDRAWN,
                    _local_date(passage.deleted_at or passage.purged_at),
                )
            )
        elif passage.status != PassageStatus.OK or passage.content_hash != entry.get("digest"):
            checks.append(
                EntryCheck(
                    GUARANTEED,
                    label,
                    EntryStatus.MODIFIED,
                    _local_date(passage.updated_at),
                    _shown(entry),
                )
            )
        else:
            checks.append(EntryCheck(GUARANTEED, label, EntryStatus.VALID, None, _shown(entry)))
    return checks


def _shown(entry: dict) -> dict:
    return {
        "number": entry.get("number", ""),
        "title": entry.get("title", ""),
        "level": entry.get("level", ""),
        "valid_from": french_date(entry.get("valid_from")),
        "honours": entry.get("honours", ""),
        "certifier": entry.get("certifier", ""),
    }


def _with_document(verdict: Verdict, document: SignedDocument | None) -> Verdict:
    verdict.document = document
    if document is not None:
        verdict.entries = recheck(document)
    return verdict


def check_document(document: SignedDocument) -> Verdict:
    """What the QR code's page shows: the document's entries re-checked, no signature
    (a printed copy's signature is checked by uploading its file)."""
    return _with_document(Verdict(), document)


def _find(document_id) -> SignedDocument | None:
    try:
        key = uuid.UUID(str(document_id))
    except (TypeError, ValueError, AttributeError):
        return None
    return SignedDocument.objects.select_related("holder").filter(pk=key).first()


def verify_file(data: bytes, name: str = "") -> Verdict:
    """An uploaded file: a PDF by its content (or its name), anything else as a
    credential."""
    if b"%PDF-" in data[:1024] or name.lower().endswith(".pdf"):
        return verify_pdf(data)
    return verify_credential(data)


# ------------------------------------------------------------------ PDF


def _decode_limits():
    from pyhanko.pdf_utils.decode_limits import (
        DecodeLimits,
        DocumentDecodeBudget,
        StreamDecodeLimits,
    )

    # Well below pyHanko's defaults: a genuine document of ours decodes to a few hundred
    # kilobytes, whatever a bomb's headers claim.
    return DecodeLimits(
        per_stream=StreamDecodeLimits(max_ratio=200, ratio_floor=MIB, max_output_size=16 * MIB),
        document_budget=DocumentDecodeBudget(base_allowance=32 * MIB, max_ratio=10),
    )


def _bounded(data: bytes) -> str | None:
    if not data:
        return EMPTY
    if len(data) > settings.PASSPORT_VERIFY_MAX_BYTES:
        return too_big_message()
    return None


def verify_pdf(data: bytes) -> Verdict:
    """Verify a CV PDF uploaded by anyone. Never raises on bad input."""
    verdict = Verdict()
    refused = _bounded(data)
    if refused:
        verdict.problems.append(refused)
        return verdict
    if b"%PDF-" not in data[:1024]:
        verdict.problems.append(NOT_PDF)
        return verdict
    try:
        return _verify_pdf(data, verdict)
    except Exception:
        # A file built to break the reader: what it is does not matter, only that it is
        # not a document we can vouch for.
        logger.info("PDF illisible soumis à la vérification", exc_info=True)
        verdict.valid = False
        verdict.problems = [NOT_PDF]
        verdict.entries = []
        verdict.document = None
        return verdict


def _verify_pdf(data: bytes, verdict: Verdict) -> Verdict:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False, decode_limits=_decode_limits())
    if reader.encrypted:
        verdict.problems.append(ENCRYPTED)
        return verdict
    document = (
        _find(_document_id(reader))
        or SignedDocument.objects.filter(sha256=hashlib.sha256(data).hexdigest()).first()
    )
    signatures = list(reader.embedded_signatures)[:MAX_SIGNATURES]
    if not signatures:
        verdict.problems.append(UNSIGNED)
        return _with_document(verdict, document)
    _check_signature(_ours_first(signatures), verdict)
    if verdict.valid and document is None:
        verdict.problems.append(UNKNOWN_DOCUMENT)
    return _with_document(verdict, document)


def _ours_first(signatures: list):
    """The platform's signature when the file carries one (another signature added after
    it makes it cover less than the whole file), else the last one."""
    ours = keys.platform_fingerprints()
    for signature in signatures:
        if hashlib.sha256(signature.signer_cert.dump()).hexdigest() in ours:
            return signature
    return signatures[-1]


def _document_id(reader) -> str | None:
    info = reader.trailer_view.get("/Info")
    if info is None:
        return None
    info = info.get_object()
    value = info.get(pdf.DOCUMENT_KEY) if hasattr(info, "get") else None
    return str(value) if value is not None else None


def _check_signature(signature, verdict: Verdict) -> None:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    trusted = [keys.current().certificate, *keys.previous_certificates()]
    context = ValidationContext(
        trust_roots=[_asn1(c) for c in trusted], allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = validate_pdf_signature(signature, context, skip_diff=True)
    except (SignatureValidationError, PathBuildingError, PathValidationError, ValueError):
        verdict.problems.append(BAD_SIGNATURE)
        return
    certificate = status.signing_cert
    verdict.signer = certificate.subject.native.get("common_name", "") or (
        certificate.subject.human_friendly
    )
    timestamp = getattr(status, "timestamp_validity", None)
    verdict.signed_at = (
        timestamp.timestamp if timestamp is not None and timestamp.intact else None
    ) or status.signer_reported_dt
    if not status.intact:
        verdict.problems.append(MODIFIED)
    elif not status.valid:
        verdict.problems.append(BAD_SIGNATURE)
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        verdict.problems.append(APPENDED)
    if hashlib.sha256(certificate.dump()).hexdigest() not in keys.platform_fingerprints():
        verdict.problems.append(NOT_OURS)
    verdict.valid = not verdict.problems


def _asn1(certificate):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


# ------------------------------------------------------------------ credential


def verify_credential(token: str | bytes) -> Verdict:
    """Verify a credential (VC-JWT) against the platform's public keys, then re-check its
    passage. Never raises on bad input."""
    from joserfc import jwt
    from joserfc.errors import BadSignatureError, JoseError

    verdict = Verdict()
    if isinstance(token, bytes):
        refused = _bounded(token)
        if refused:
            verdict.problems.append(refused)
            return verdict
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError:
            verdict.problems.append(NOT_CREDENTIAL)
            return verdict
    token = (token or "").strip()
    refused = _bounded(token.encode())
    if refused:
        verdict.problems.append(refused)
        return verdict
    if token.count(".") != 2:
        verdict.problems.append(NOT_CREDENTIAL)
        return verdict
    header = _segment(token, 0)
    try:
        decoded = jwt.decode(token, keys.public_keys(), algorithms=["ES256", "RS256"])
    except BadSignatureError:
        verdict.problems.append(CREDENTIAL_MODIFIED)
        return _credential_document(verdict, token)
    except JoseError:
        known = {k.kid for k in keys.public_keys().keys}
        verdict.problems.append(
            CREDENTIAL_NOT_OURS if header.get("kid") not in known else NOT_CREDENTIAL
        )
        return verdict
    except (ValueError, TypeError):
        verdict.problems.append(NOT_CREDENTIAL)
        return verdict
    claims = decoded.claims
    issuer = claims.get("issuer") if isinstance(claims.get("issuer"), dict) else {}
    verdict.signer = str(issuer.get("name") or claims.get("iss") or "")
    if isinstance(claims.get("iat"), int):
        verdict.signed_at = datetime.datetime.fromtimestamp(claims["iat"], tz=datetime.UTC)
    verdict.valid = True
    document = _find(str(claims.get("id", "")).removeprefix("urn:uuid:"))
    if document is None:
        verdict.problems.append(UNKNOWN_DOCUMENT)
    return _with_document(verdict, document)


def _credential_document(verdict: Verdict, token: str) -> Verdict:
    """A tampered credential still names its document: its entries are shown re-checked
    from the platform's own record, never from the token."""
    document_id = str(_segment(token, 1).get("id", "")).removeprefix("urn:uuid:")
    return _with_document(verdict, _find(document_id))


def _segment(token: str, index: int) -> dict:
    """A JWS segment's JSON, unverified ({} when unreadable)."""
    try:
        part = token.split(".")[index]
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, IndexError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}
