"""The platform's signing key: a development key is created once, kept private, reused."""

import os

import pytest
from django.test import override_settings

from opencertif.passports import keys


def test_the_development_key_is_created_once_and_reused(tmp_path):
    with override_settings(PASSPORT_KEY_DIR=tmp_path / "cles"):
        first = keys.current()
        path = tmp_path / "cles" / keys.DEVELOPMENT_FILE
        written = path.read_bytes()
        keys._load.cache_clear()
        again = keys.current()
    assert first.development and first.signer_name == keys.DEVELOPMENT_SUBJECT
    assert again.kid == first.kid
    assert path.read_bytes() == written
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "cles").iterdir()] == [keys.DEVELOPMENT_FILE]


def test_a_second_process_creating_the_key_keeps_the_first(tmp_path):
    path = tmp_path / keys.DEVELOPMENT_FILE
    keys._create_development(tmp_path, path)
    written = path.read_bytes()
    keys._create_development(tmp_path, path)  # lost the race: links nothing
    assert path.read_bytes() == written
    assert [p.name for p in tmp_path.iterdir()] == [keys.DEVELOPMENT_FILE]


def test_tests_never_use_the_developers_key_folder():
    from django.conf import settings

    assert "opencertif-test-keys-" in str(settings.PASSPORT_KEY_DIR)


def test_the_jwks_publishes_the_public_key_with_its_thumbprint():
    published = keys.jwks()["keys"]
    assert len(published) == 1
    key = published[0]
    assert key["kid"] == keys.current().kid
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256"
    assert "d" not in key


def test_production_key_and_certificate_are_read_from_their_files(tmp_path):
    keys._create_development(tmp_path, tmp_path / "both.pem")
    data = (tmp_path / "both.pem").read_bytes()
    key, _, cert = data.partition(b"-----END PRIVATE KEY-----")
    (tmp_path / "key.pem").write_bytes(key + b"-----END PRIVATE KEY-----\n")
    (tmp_path / "cert.pem").write_bytes(cert.strip() + b"\n")
    with override_settings(
        PASSPORT_SIGNING_KEY_FILE=str(tmp_path / "key.pem"),
        PASSPORT_SIGNING_CERT_FILE=str(tmp_path / "cert.pem"),
    ):
        material = keys.current()
    assert not material.development
    assert material.signer_name == keys.DEVELOPMENT_SUBJECT


def test_an_unreadable_production_key_fails_loudly(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    (tmp_path / "key.pem").write_text("pas une clé")
    (tmp_path / "cert.pem").write_text("pas un certificat")
    with (
        override_settings(
            PASSPORT_SIGNING_KEY_FILE=str(tmp_path / "key.pem"),
            PASSPORT_SIGNING_CERT_FILE=str(tmp_path / "cert.pem"),
        ),
        pytest.raises(ImproperlyConfigured),
    ):
        keys.current()
