"""Signed CV PDFs: what a CV states is snapshotted in a SignedDocument, rendered as a PDF
with a QR code to its public verification page, and signed (PAdES) by the platform.

Only the CV's guaranteed passages that are still accepted and still the holder's own are
included: the CV's selection is never trusted blindly."""

import datetime
import hashlib

import segno
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats

from opencertif.core import audit
from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.format import vocabulary
from opencertif.deposits.models import Passage
from opencertif.passports import pdf
from opencertif.passports.enums import AuditAction, DocumentKind, ExperienceKind
from opencertif.passports.models import Cv, Holder, SignedDocument

GUARANTEED = "guaranteed"
DECLARATIVE = "declarative"


def french_date(value: str | datetime.date | None) -> str:
    """An ISO date (as the snapshots keep it) in French: « 30 juin 2025 »."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return formats.date_format(value, "j F Y")


def holder_name(holder: Holder) -> str:
    """The name a document shows: the person's first name and usage (else birth) name."""
    if holder.person_id:
        return holder.person.display_name
    return holder.user.get_full_name() if hasattr(holder.user, "get_full_name") else ""


def holder_passages(holder: Holder):
    """The holder's guaranteed passages: accepted, and attached to their person."""
    if not holder.person_id:
        return Passage.objects.none()
    return Passage.objects.filter(person_id=holder.person_id, status=PassageStatus.OK)


def guaranteed_entry(passage: Passage) -> dict:
    """What a signed document states of a passage: enough to show it and to tell later
    whether it changed (its `content_hash`), never the holder's identity."""
    certification = passage.certification
    number = certification.number if certification else passage.certification_code
    title = certification.title if certification else passage.certification_code
    honours = (passage.fields or {}).get("honours")
    return {
        "kind": GUARANTEED,
        "passage": passage.pk,
        "digest": passage.content_hash,
        "label": f"{title} ({number})",
        "number": number,
        "title": title,
        "level": certification.level_label if certification else "",
        "valid_from": passage.valid_from.isoformat() if passage.valid_from else "",
        "honours": vocabulary.value_label("honours", honours) if honours else "",
        "certifier": passage.certifier.organisation.display_name,
    }


def declarative_entry(experience) -> dict:
    return {
        "kind": DECLARATIVE,
        "label": experience.title,
        "title": experience.title,
        "experience_kind": experience.kind,
        "organisation": experience.organisation,
        "start": experience.start_date.isoformat() if experience.start_date else "",
        "end": experience.end_date.isoformat() if experience.end_date else "",
    }


def _period(entry: dict) -> str:
    start, end = french_date(entry.get("start")), french_date(entry.get("end"))
    if start and end:
        return f"Du {start} au {end}"
    return f"Depuis le {start}" if start else ""


def verify_url(document: SignedDocument) -> str:
    """The absolute address of the document's public verification page (its QR code)."""
    return settings.SITE_URL.rstrip("/") + reverse("www:verify_document", args=[document.id])


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, border=0, omitsize=True)


def render_cv(document: SignedDocument, *, title: str, summary: str) -> bytes:
    """The unsigned PDF of a CV's snapshot."""
    guaranteed = [
        {**entry, "valid_from_display": french_date(entry.get("valid_from"))}
        for entry in document.entries
        if entry["kind"] == GUARANTEED
    ]
    kinds = dict(ExperienceKind.choices)
    declarative = [
        {
            **entry,
            "kind_label": kinds.get(entry.get("experience_kind"), ""),
            "period": _period(entry),
        }
        for entry in document.entries
        if entry["kind"] == DECLARATIVE
    ]
    url = verify_url(document)
    html = render_to_string(
        "passports/cv_pdf.html",
        {
            "document": document,
            "title": title,
            "summary": summary,
            "guaranteed": guaranteed,
            "declarative": declarative,
            "qr_svg": _qr_svg(url),
            "verify_url": url,
            "verify_upload_url": settings.SITE_URL.rstrip("/") + reverse("www:verify"),
        },
    )
    return pdf.render(html)


@transaction.atomic
def issue_cv_pdf(*, cv: Cv, by=None) -> tuple[SignedDocument, bytes]:
    """Issue a CV as a signed PDF: snapshot its entries (its guaranteed passages still
    accepted and still the holder's; its declarative entries), render, sign with the
    platform's key, keep the file's SHA-256. `by` is the acting user (the holder)."""
    holder = Holder.objects.select_related("person", "user").get(pk=cv.holder_id)
    passages = (
        holder_passages(holder)
        .filter(pk__in=cv.passages.values("pk"))
        .select_related("certification", "certifier__organisation")
        .order_by("-valid_from", "pk")
    )
    entries = [guaranteed_entry(p) for p in passages]
    entries += [declarative_entry(e) for e in cv.experiences.filter(holder=holder)]
    document = SignedDocument.objects.create(
        kind=DocumentKind.CV,
        holder=holder,
        cv=cv,
        title=cv.title[:200],
        holder_name=holder_name(holder)[:200],
        entries=entries,
    )
    signed = pdf.sign(render_cv(document, title=cv.title, summary=cv.summary))
    document.sha256 = hashlib.sha256(signed).hexdigest()
    document.save(update_fields=["sha256"])
    audit.record(
        actor=by,
        action=AuditAction.CV_PDF_ISSUED,
        obj=document,
        summary=f"CV {cv.pk} : {sum(e['kind'] == GUARANTEED for e in entries)} certification(s)",
    )
    return document, signed
