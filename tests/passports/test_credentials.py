"""Open Badges 3.0 credentials (VC-JWT): issued for a holder's own certification, signed
with the platform's key, verified against the JWKS and today's data."""

import base64
import json

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from opencertif.deposits import lifecycle
from opencertif.passports import credentials, keys, verification
from opencertif.passports.enums import DocumentKind, EntryStatus
from tests.passports import factories
from tests.passports.signing_data import cv_world

pytestmark = pytest.mark.django_db


def _parts(token: str) -> tuple[dict, dict]:
    def decode(part):
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))

    header, payload, _signature = token.split(".")
    return decode(header), decode(payload)


def _encode(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_a_credential_is_an_open_badge_signed_by_the_platform(settings):
    settings.SITE_URL = "https://opencertif.example.fr"
    world = cv_world(certifications=1)
    passage = world.passages[0]
    document, token = credentials.issue_credential(holder=world.holder, passage=passage)
    header, claims = _parts(token)
    assert header == {"alg": "ES256", "kid": keys.current().kid, "typ": "vc+jwt", "cty": "vc"}
    assert claims["@context"] == credentials.CONTEXTS
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["id"] == f"urn:uuid:{document.id}"
    assert claims["issuer"]["id"] == "https://opencertif.example.fr"
    assert claims["validFrom"] == "2020-06-30T00:00:00Z"
    achievement = claims["credentialSubject"]["achievement"]
    assert achievement["humanCode"] == passage.certification.number
    assert achievement["name"] == passage.certification.title
    assert achievement["criteria"]["id"].endswith(f"/repertoire/{passage.certification.number}/")
    assert achievement["tag"] == ["Niveau 6"]
    assert document.kind == DocumentKind.CREDENTIAL
    assert document.entries[0]["digest"] == passage.content_hash


def test_the_credential_names_the_holder_without_their_nir():
    person = factories.person(nir="2900475056123")
    holder = factories.holder(person)
    organisation, account = factories.certifier()
    passage = factories.passage(account, person, factories.certification())
    _document, token = credentials.issue_credential(holder=holder, passage=passage)
    _header, claims = _parts(token)
    subject = claims["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Camille MARTIN"
    assert subject["id"].startswith("urn:opencertif:titulaire:")
    assert "2900475056123" not in token and "2900475056123" not in json.dumps(claims)


def test_the_credential_verifies_with_the_published_jwks():
    world = cv_world(certifications=1)
    _document, token = credentials.issue_credential(holder=world.holder, passage=world.passages[0])
    published = keys.jwks()["keys"][0]
    decoded = jwt.decode(token, ECKey.import_key(published), algorithms=["ES256"])
    assert decoded.claims["credentialSubject"]["type"] == ["AchievementSubject"]


def test_credential_round_trip_is_valid():
    world = cv_world(certifications=1)
    document, token = credentials.issue_credential(holder=world.holder, passage=world.passages[0])
    verdict = verification.verify_credential(token)
    assert verdict.valid is True and verdict.problems == []
    assert verdict.signer == "opencertif"
    assert verdict.document == document
    assert [e.status for e in verdict.entries] == [EntryStatus.VALID]


def test_a_tampered_payload_is_invalid():
    world = cv_world(certifications=1)
    _document, token = credentials.issue_credential(holder=world.holder, passage=world.passages[0])
    header, claims = _parts(token)
    claims["credentialSubject"]["achievement"]["name"] = "Doctorat de médecine"
    forged = ".".join([token.split(".")[0], _encode(claims), token.split(".")[2]])
    verdict = verification.verify_credential(forged)
    assert verdict.valid is False
    assert verdict.problems == [verification.CREDENTIAL_MODIFIED]


def test_a_credential_signed_by_another_key_is_not_the_platforms():
    world = cv_world(certifications=1)
    _document, token = credentials.issue_credential(holder=world.holder, passage=world.passages[0])
    _header, claims = _parts(token)
    other = ECKey.generate_key("P-256")
    forged = jwt.encode({"alg": "ES256", "kid": other.thumbprint()}, claims, other)
    verdict = verification.verify_credential(forged)
    assert verdict.valid is False
    assert verdict.problems == [verification.CREDENTIAL_NOT_OURS]


def test_a_credential_whose_passage_was_withdrawn_says_so():
    world = cv_world(certifications=1)
    _document, token = credentials.issue_credential(holder=world.holder, passage=world.passages[0])
    lifecycle.delete(world.passages[0], reason="Erreur")
    verdict = verification.verify_credential(token)
    assert verdict.valid is True
    assert [e.status for e in verdict.entries] == [EntryStatus.WITHDRAWN]


def test_no_credential_for_someone_elses_passage():
    world = cv_world(certifications=1)
    other = factories.holder(factories.person(birth_name="DURAND"))
    with pytest.raises(credentials.NotTheHoldersPassage):
        credentials.issue_credential(holder=other, passage=world.passages[0])


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "é.é.é", "x" * 100])
def test_unreadable_credentials_get_a_plain_problem(token):
    verdict = verification.verify_credential(token)
    assert verdict.valid is False
    assert len(verdict.problems) == 1
