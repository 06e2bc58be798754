"""POST /api/passport/verify: public, multipart field `file`, the verdict as JSON."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencertif.deposits import lifecycle
from opencertif.passports import credentials, documents
from tests.passports import pdf_tools
from tests.passports.signing_data import cv_world

pytestmark = pytest.mark.django_db
URL = "/api/passport/verify"


def _post(client, data: bytes, name="cv.pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, "application/pdf")})


def test_a_genuine_pdf_is_valid_without_a_token(client):
    world = cv_world(certifications=2)
    document, data = documents.issue_cv_pdf(cv=world.cv)
    lifecycle.delete(world.passages[0], reason="Erreur")
    response = _post(client, data)
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["problems"] == []
    assert body["signer"] == "opencertif — clé de développement"
    assert body["signed_at"]
    assert body["document"]["id"] == str(document.id)
    statuses = sorted(e["status"] for e in body["entries"])
    assert statuses == ["declarative", "valid", "withdrawn"]
    withdrawn = next(e for e in body["entries"] if e["status"] == "withdrawn")
    assert withdrawn["date"] and world.passages[0].certification.number not in withdrawn["label"]


def test_a_modified_pdf_is_not_valid(client):
    world = cv_world(certifications=1)
    _document, data = documents.issue_cv_pdf(cv=world.cv)
    body = _post(client, pdf_tools.grade_appended(data)).json()
    assert body["valid"] is False
    assert any("modifié après sa signature" in p for p in body["problems"])


def test_a_credential_is_verified_too(client):
    world = cv_world(certifications=1)
    _document, token = credentials.issue_credential(holder=world.holder, passage=world.passages[0])
    body = _post(client, token.encode(), "badge.jwt").json()
    assert body["valid"] is True
    assert [e["status"] for e in body["entries"]] == ["valid"]


def test_bad_files_get_a_verdict_not_an_error(client):
    body = _post(client, b"\x00\x01 pas un pdf").json()
    assert body["valid"] is False and body["problems"]


def test_a_missing_file_is_a_400_that_says_what_to_send(client):
    response = client.post(URL, {})
    assert response.status_code == 400
    assert "file" in response.json()["detail"]


def test_an_oversized_file_is_a_413(client, settings):
    settings.PASSPORT_VERIFY_MAX_BYTES = 1024 * 1024
    response = _post(client, b"%PDF-1.7\n" + bytes(2 * 1024 * 1024 + 10))
    assert response.status_code == 413
    assert "taille maximale" in response.json()["detail"]
