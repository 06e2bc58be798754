"""Verification of signed CV PDFs: the signature (intact, whole file, the platform's),
then each guaranteed entry against today's data; bad input gets a plain answer."""

import datetime
import tracemalloc

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from opencertif.deposits import lifecycle
from opencertif.passports import documents, verification
from opencertif.passports.enums import EntryStatus
from tests.passports import pdf_tools
from tests.passports.signing_data import cv_world

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def issued():
    world = cv_world(certifications=2)
    document, data = documents.issue_cv_pdf(cv=world.cv)
    return world, document, data


def test_a_signed_cv_is_valid_with_every_entry_still_valid(issued):
    world, document, data = issued
    verdict = verification.verify_pdf(data)
    assert verdict.valid is True
    assert verdict.problems == []
    assert verdict.signer == "opencertif — clé de développement"
    assert verdict.signed_at is not None
    assert abs(verdict.signed_at - timezone.now()) < datetime.timedelta(minutes=5)
    assert verdict.document == document
    assert [e.status for e in verdict.guaranteed] == [EntryStatus.VALID] * 2
    assert [e.status for e in verdict.declarative] == [EntryStatus.DECLARATIVE]


def test_one_byte_changed_in_the_middle_is_detected(issued):
    _world, _document, data = issued
    verdict = verification.verify_pdf(pdf_tools.one_byte_changed(data))
    assert verdict.valid is False
    assert verification.MODIFIED in verdict.problems


def test_a_grade_written_over_in_an_incremental_update_is_detected(issued):
    _world, document, data = issued
    forged = pdf_tools.grade_appended(data)
    assert forged.startswith(data)  # the signed part untouched, content appended
    verdict = verification.verify_pdf(forged)
    assert verdict.valid is False
    assert verification.APPENDED in verdict.problems
    assert verdict.document == document  # still found: its entries are shown re-checked


def test_a_pdf_signed_by_another_key_is_not_the_platforms(tmp_path):
    world = cv_world(certifications=1)
    with override_settings(PASSPORT_KEY_DIR=tmp_path / "faussaire"):
        _document, data = documents.issue_cv_pdf(cv=world.cv)
    verdict = verification.verify_pdf(data)
    assert verdict.valid is False
    assert verdict.problems == [verification.NOT_OURS]
    assert "pas signé par opencertif" in verdict.problems[0]


def test_a_passage_modified_after_issue_is_reported_modified_with_its_date(issued):
    world, _document, data = issued
    passage = world.passages[0]
    with time_machine.travel(datetime.datetime(2027, 3, 15, 10, 0, tzinfo=PARIS), tick=False):
        lifecycle.modify(
            passage=passage,
            values={
                "content_hash": "f" * 32,
                "fields": {**passage.fields, "honours": "SANS_MENTION"},
            },
            changes={"honours": ["MENTION_BIEN", "SANS_MENTION"]},
            by=None,
            summary=f"{passage.id_technique} : mention",
        )
    verdict = verification.verify_pdf(data)
    assert verdict.valid is True  # the file is intact: what changed is today's data
    by_status = {e.status: e for e in verdict.guaranteed}
    modified = by_status[EntryStatus.MODIFIED]
    assert modified.date == datetime.date(2027, 3, 15)
    assert modified.message == "Modifié le 15 mars 2027"
    assert EntryStatus.VALID in by_status


def test_a_passage_deleted_then_purged_is_withdrawn_with_its_date_and_nothing_else(issued):
    world, _document, data = issued
    passage = world.passages[0]
    deleted_at = datetime.datetime(2027, 2, 1, 9, 0, tzinfo=PARIS)
    with time_machine.travel(deleted_at, tick=False):
        lifecycle.delete(passage, reason="Erreur de saisie")
    with time_machine.travel(deleted_at + datetime.timedelta(days=40), tick=False):
        assert lifecycle.purge_deleted() == 1
    passage.refresh_from_db()
    assert passage.purged_at is not None
    verdict = verification.verify_pdf(data)
    withdrawn = [e for e in verdict.guaranteed if e.status == EntryStatus.WITHDRAWN]
    assert len(withdrawn) == 1
    assert withdrawn[0].date == datetime.date(2027, 2, 1)
    assert withdrawn[0].message == "Retiré par le certificateur le 1 février 2027"
    assert withdrawn[0].label == verification.WITHDRAWN_LABEL
    assert passage.certification.number not in str(verdict.as_json())


def test_a_deleted_passage_not_yet_purged_is_already_withdrawn(issued):
    world, _document, data = issued
    lifecycle.delete(world.passages[1], reason="Doublon")
    verdict = verification.verify_pdf(data)
    assert EntryStatus.WITHDRAWN in [e.status for e in verdict.guaranteed]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", verification.EMPTY),
        (b"bonjour, ceci n'est pas un PDF", verification.NOT_PDF),
        (bytes(range(256)) * 40, verification.NOT_PDF),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", verification.NOT_PDF),
    ],
    ids=["empty", "text", "random", "truncated-header"],
)
def test_bad_input_gets_a_plain_problem_and_never_raises(data, problem):
    verdict = verification.verify_pdf(data)
    assert verdict.valid is False
    assert verdict.problems == [problem]


def test_a_truncated_signed_pdf_is_not_valid(issued):
    _world, _document, data = issued
    verdict = verification.verify_pdf(data[: len(data) // 2])
    assert verdict.valid is False
    assert verdict.problems


def test_an_encrypted_pdf_is_refused_plainly(issued):
    _world, _document, data = issued
    verdict = verification.verify_pdf(pdf_tools.encrypted(data))
    assert verdict.valid is False
    assert verdict.problems == [verification.ENCRYPTED]


def test_an_unsigned_pdf_is_said_unsigned():
    from opencertif.passports import pdf

    verdict = verification.verify_pdf(pdf.render("<p>Un CV sans signature</p>"))
    assert verdict.valid is False
    assert verdict.problems == [verification.UNSIGNED]


def test_an_oversized_file_is_refused_with_the_limit(settings):
    settings.PASSPORT_VERIFY_MAX_BYTES = 1024 * 1024
    verdict = verification.verify_pdf(b"%PDF-1.7\n" + bytes(1024 * 1024))
    assert verdict.valid is False
    assert verdict.problems == [verification.too_big_message()]
    assert "1 Mo" in verdict.problems[0]


def test_a_decompression_bomb_is_refused_without_inflating_it():
    bomb = pdf_tools.decompression_bomb()
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    try:
        verdict = verification.verify_pdf(bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert verdict.valid is False
    assert verdict.problems == [verification.NOT_PDF]
    assert peak < 64 * 1024 * 1024


def test_a_signature_added_after_the_platforms_makes_it_invalid(issued, tmp_path):
    _world, _document, data = issued
    verdict = verification.verify_pdf(pdf_tools.countersigned(data, tmp_path))
    assert verdict.valid is False
    assert verdict.problems == [verification.APPENDED]
    assert verdict.signer == "opencertif — clé de développement"
