"""Signed CV PDFs: what they state, what they leave out, how they are signed."""

import hashlib
import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from opencertif.core.models import AuditEntry
from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.models import Passage
from opencertif.passports import documents, pdf
from opencertif.passports.enums import AuditAction, DocumentKind
from tests.passports import factories
from tests.passports.signing_data import cv_world

pytestmark = pytest.mark.django_db


def test_a_cv_pdf_is_signed_and_recorded_with_its_entries():
    world = cv_world(certifications=2)
    document, data = documents.issue_cv_pdf(cv=world.cv, by=world.holder.user)
    assert data.startswith(b"%PDF-")
    assert document.kind == DocumentKind.CV and document.cv == world.cv
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.holder_name == "Camille MARTIN"
    guaranteed = [e for e in document.entries if e["kind"] == "guaranteed"]
    assert {e["passage"] for e in guaranteed} == {p.pk for p in world.passages}
    passage = world.passages[0]
    entry = next(e for e in guaranteed if e["passage"] == passage.pk)
    assert entry["digest"] == passage.content_hash
    assert entry["number"] == passage.certification.number
    assert entry["honours"] == "Mention bien"
    assert entry["level"] == "Niveau 6"
    assert entry["certifier"] == "Université de Martin"
    assert entry["valid_from"] == passage.valid_from.isoformat()
    declarative = [e for e in document.entries if e["kind"] == "declarative"]
    assert [e["label"] for e in declarative] == ["Technicienne de maintenance"]
    audit = AuditEntry.objects.get(action=AuditAction.CV_PDF_ISSUED)
    assert audit.object_id == str(document.pk) and audit.actor == world.holder.user


def test_the_pdf_carries_its_document_id_and_one_platform_signature():
    world = cv_world(certifications=1)
    document, data = documents.issue_cv_pdf(cv=world.cv)
    reader = PdfFileReader(io.BytesIO(data))
    info = reader.trailer_view["/Info"].get_object()
    assert str(info[pdf.DOCUMENT_KEY]) == str(document.id)
    signatures = reader.embedded_signatures
    assert len(signatures) == 1
    assert signatures[0].sig_object["/Reason"] == pdf.REASON


def test_only_the_holders_own_accepted_passages_are_included():
    world = cv_world(certifications=2)
    deleted, kept = world.passages
    Passage.objects.filter(pk=deleted.pk).update(status=PassageStatus.DELETED)
    other = factories.person(birth_name="DURAND")
    organisation, account = factories.certifier()
    strangers = factories.passage(account, other, factories.certification())
    world.cv.passages.add(strangers)  # a CV's selection is never trusted blindly
    document, _data = documents.issue_cv_pdf(cv=world.cv)
    assert [e["passage"] for e in document.entries if e["kind"] == "guaranteed"] == [kept.pk]


def test_the_qr_code_points_at_the_documents_verification_page(settings):
    settings.SITE_URL = "https://opencertif.example.fr"
    world = cv_world(certifications=1)
    document, _data = documents.issue_cv_pdf(cv=world.cv)
    assert documents.verify_url(document) == (
        f"https://opencertif.example.fr/verifier/{document.id}/"
    )


def test_guaranteed_and_declarative_entries_are_marked_apart_in_the_html():
    world = cv_world(certifications=1)
    document, _data = documents.issue_cv_pdf(cv=world.cv)
    from django.template.loader import render_to_string

    html = render_to_string(
        "passports/cv_pdf.html",
        {
            "document": document,
            "title": world.cv.title,
            "guaranteed": [e for e in document.entries if e["kind"] == "guaranteed"],
            "declarative": [e for e in document.entries if e["kind"] == "declarative"],
            "qr_svg": "<svg></svg>",
        },
    )
    assert html.count("Garanti par le certificateur") >= 1
    assert "Déclaratif" in html
    assert str(document.id) in html
