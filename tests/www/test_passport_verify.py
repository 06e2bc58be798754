"""The public verification pages (/verifier/, the QR code's page), the JWKS, and the
holder's downloads of a signed CV and a badge (their own only)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opencertif.deposits import lifecycle
from opencertif.passports import credentials, documents, keys
from opencertif.passports.models import SignedDocument
from tests import factories as common
from tests.passports import factories, pdf_tools
from tests.passports.signing_data import cv_world

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, name: str = "cv.pdf", content_type="application/pdf"):
    return client.post(
        reverse("www:verify"), {"file": SimpleUploadedFile(name, data, content_type)}
    )


def test_the_verification_page_is_public_with_an_upload_form(client):
    response = client.get(reverse("www:verify"))
    assert response.status_code == 200
    html = common.page(response)
    assert 'enctype="multipart/form-data"' in html
    assert '<label class="fr-label" for="id_file">' in html
    assert "5 Mo au plus" in html


def test_a_genuine_pdf_is_declared_valid_with_its_entries(client):
    world = cv_world(certifications=2)
    document, data = documents.issue_cv_pdf(cv=world.cv)
    response = _upload(client, data)
    assert response.status_code == 200
    html = common.page(response)
    assert "fr-alert--success" in html
    assert "Signature valide" in html
    assert "opencertif — clé de développement" in html
    assert html.count("Garanti — toujours valide") == 2
    assert "Déclaratif — non vérifié" in html
    assert "Camille MARTIN" in html
    assert str(document.id) in html


def test_a_modified_pdf_is_declared_invalid_and_says_why(client):
    world = cv_world(certifications=1)
    _document, data = documents.issue_cv_pdf(cv=world.cv)
    html = common.page(_upload(client, pdf_tools.one_byte_changed(data)))
    assert "fr-alert--error" in html
    assert "Le document a été modifié après sa signature." in html
    assert "Signature valide" not in html


def test_a_withdrawn_entry_shows_its_date_and_not_its_content(client):
    world = cv_world(certifications=1)
    passage = world.passages[0]
    document, data = documents.issue_cv_pdf(cv=world.cv)
    lifecycle.delete(
        passage,
        reason="Erreur de saisie",
        now=datetime.datetime(2027, 1, 5, 12, tzinfo=datetime.UTC),
    )
    for response in (
        _upload(client, data),
        client.get(reverse("www:verify_document", args=[document.id])),
    ):
        html = common.page(response)
        assert "Retiré par le certificateur le 5 janvier 2027" in html
        assert passage.certification.title not in html
        assert passage.certification.number not in html


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"ceci n'est pas un PDF", "cv.pdf", "Ce fichier n'est pas un PDF lisible."),
        (
            b"abc.def",
            "badge.jwt",
            "Ce fichier n'est pas une attestation numérique (VC-JWT) lisible.",
        ),
    ],
)
def test_unreadable_files_get_a_clear_answer_not_an_error(client, data, name, message):
    response = _upload(client, data, name)
    assert response.status_code == 200
    assert message in common.page(response)


def test_an_encrypted_pdf_gets_a_clear_answer(client):
    world = cv_world(certifications=1)
    _document, data = documents.issue_cv_pdf(cv=world.cv)
    html = common.page(_upload(client, pdf_tools.encrypted(data)))
    assert "protégé par un mot de passe" in html


def test_an_empty_or_missing_file_says_what_to_do(client):
    response = _upload(client, b"")
    assert response.status_code == 400
    assert "Le fichier est vide" in common.page(response)
    response = client.post(reverse("www:verify"), {})
    assert response.status_code == 400
    assert "Choisissez le fichier PDF ou .jwt à vérifier." in common.page(response)


def test_an_oversized_upload_is_refused_with_the_limit(client, settings):
    settings.PASSPORT_VERIFY_MAX_BYTES = 1024 * 1024
    response = _upload(client, b"%PDF-1.7\n" + bytes(2 * 1024 * 1024))
    assert response.status_code == 400
    assert "taille maximale acceptée pour une vérification (1 Mo)" in common.page(response)


def test_a_credential_can_be_verified_on_the_page(client):
    world = cv_world(certifications=1)
    _document, token = credentials.issue_credential(holder=world.holder, passage=world.passages[0])
    html = common.page(_upload(client, token.encode(), "badge.jwt", "application/octet-stream"))
    assert "Signature valide" in html
    assert "Garanti — toujours valide" in html


def test_the_qr_code_page_shows_the_document_re_checked(client):
    world = cv_world(certifications=1)
    document, _data = documents.issue_cv_pdf(cv=world.cv)
    response = client.get(reverse("www:verify_document", args=[document.id]))
    assert response.status_code == 200
    html = common.page(response)
    assert "Camille MARTIN" in html
    assert "Garanti — toujours valide" in html
    assert "déposez le fichier PDF" in html


def test_an_unknown_document_is_a_404(client):
    response = client.get("/verifier/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_the_jwks_is_public_json(client):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["keys"][0]["kid"] == keys.current().kid


def test_a_holder_downloads_their_cv_as_a_signed_pdf(client):
    world = cv_world(certifications=1)
    client.force_login(world.holder.user)
    response = client.get(reverse("passeport:cv_pdf", args=[world.cv.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert SignedDocument.objects.filter(cv=world.cv).count() == 1


def test_a_holder_downloads_their_certification_as_a_badge(client):
    world = cv_world(certifications=1)
    client.force_login(world.holder.user)
    response = client.get(reverse("passeport:badge", args=[world.passages[0].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == credentials.MEDIA_TYPE
    assert response.content.count(b".") == 2


def test_a_holder_cannot_download_another_holders_cv_or_badge(client):
    world = cv_world(certifications=1)
    intruder = factories.holder(factories.person(birth_name="DURAND"))
    client.force_login(intruder.user)
    assert client.get(reverse("passeport:cv_pdf", args=[world.cv.pk])).status_code == 404
    assert client.get(reverse("passeport:badge", args=[world.passages[0].pk])).status_code == 404
    assert not SignedDocument.objects.exists()


def test_anonymous_visitors_are_sent_to_the_passports_sign_in(client):
    world = cv_world(certifications=1)
    response = client.get(reverse("passeport:cv_pdf", args=[world.cv.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("passeport:signin"))
