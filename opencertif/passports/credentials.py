"""Open Badges 3.0 credentials: a guaranteed certification as a W3C Verifiable Credential
(data model 2.0), signed as a VC-JWT with the platform's key (public keys at
/.well-known/jwks.json). The credential names its holder by name and an opaque id, never
by their NIR; its id is the urn:uuid of the SignedDocument that records what it states."""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt

from opencertif.core import audit
from opencertif.deposits.models import Passage
from opencertif.passports import keys
from opencertif.passports.documents import guaranteed_entry, holder_name, holder_passages
from opencertif.passports.enums import AuditAction, DocumentKind
from opencertif.passports.models import Holder, SignedDocument

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
PLATFORM_NAME = "opencertif"
MEDIA_TYPE = "application/vc+jwt"


class NotTheHoldersPassage(ValueError):
    """The passage is not an accepted passage of this holder."""


def subject_id(holder: Holder) -> str:
    """An opaque, stable id of the holder (a keyed digest of their account): it tells two
    credentials of one holder apart from others' and reveals nothing of them."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"passport-holder:{holder.pk}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"urn:opencertif:titulaire:{digest}"


def _site(path: str = "") -> str:
    return settings.SITE_URL.rstrip("/") + path


def _midnight(day: datetime.date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00Z" if day else None


def build_credential(*, document: SignedDocument, holder: Holder, passage: Passage) -> dict:
    """The OpenBadgeCredential of a passage (unsigned)."""
    entry = document.entries[0]
    certification = passage.certification
    page = (
        _site(reverse("public:certification", args=[certification.number]))
        if (certification)
        else _site()
    )
    achievement = {
        "id": page,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": entry["title"],
        "humanCode": entry["number"],
        "description": f"{entry['number']} — {entry['title']}"
        + (f" ({entry['level']})" if entry["level"] else ""),
        "criteria": {
            "id": page,
            "narrative": (
                "Certification professionnelle enregistrée au répertoire national "
                f"({entry['number']}), délivrée par {entry['certifier']} après évaluation "
                "des compétences décrites dans sa fiche."
            ),
        },
        "otherIdentifiers": [
            {
                "type": "IdentifierEntry",
                "identifier": entry["number"],
                "identifierType": "identifier",
            }
        ],
        "creator": {"id": _site(), "type": ["Profile"], "name": entry["certifier"]},
    }
    if entry["level"]:
        achievement["tag"] = [entry["level"]]
    subject = {
        "id": subject_id(holder),
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": document.holder_name,
            }
        ],
        "achievement": achievement,
    }
    if passage.valid_from:
        subject["activityEndDate"] = _midnight(passage.valid_from)
    credential = {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{document.id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": _site(), "type": ["Profile"], "name": PLATFORM_NAME},
        "name": entry["title"],
        "validFrom": _midnight(passage.valid_from)
        or document.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "awardedDate": document.issued_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": subject,
    }
    if passage.valid_until:
        credential["validUntil"] = _midnight(passage.valid_until)
    return credential


def sign_credential(credential: dict, *, issued_at: datetime.datetime) -> str:
    """The credential as a VC-JWT (compact JWS), its header naming the key (`kid`)."""
    material = keys.current()
    header = {"alg": material.algorithm, "kid": material.kid, "typ": "vc+jwt", "cty": "vc"}
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "iat": int(issued_at.timestamp()),
    }
    return jwt.encode(header, claims, material.jwk, algorithms=[material.algorithm])


@transaction.atomic
def issue_credential(*, holder: Holder, passage: Passage, by=None) -> tuple[SignedDocument, str]:
    """Issue a holder's guaranteed certification as a signed Open Badges 3.0 credential.
    Raises NotTheHoldersPassage when the passage is not one of the holder's accepted
    passages."""
    holder = Holder.objects.select_related("person", "user").get(pk=holder.pk)
    passage = (
        holder_passages(holder)
        .select_related("certification", "certifier__organisation")
        .filter(pk=passage.pk)
        .first()
    )
    if passage is None:
        raise NotTheHoldersPassage("Cette certification ne figure pas dans votre passeport.")
    entry = guaranteed_entry(passage)
    document = SignedDocument.objects.create(
        kind=DocumentKind.CREDENTIAL,
        holder=holder,
        title=entry["title"][:200],
        holder_name=holder_name(holder)[:200],
        entries=[entry],
        issued_at=timezone.now(),
    )
    token = sign_credential(
        build_credential(document=document, holder=holder, passage=passage),
        issued_at=document.issued_at,
    )
    audit.record(
        actor=by if by is not None else holder.user,
        action=AuditAction.CREDENTIAL_ISSUED,
        obj=document,
        summary=f"Passage {passage.pk}",
    )
    return document, token
