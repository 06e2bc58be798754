"""The platform's signing material: one key and its certificate sign the CV PDFs (PAdES,
pyHanko) and the credentials (VC-JWT, joserfc).

In production the key and certificate come from PEM files named by the settings
(PASSPORT_SIGNING_KEY_FILE, PASSPORT_SIGNING_CERT_FILE, optional
PASSPORT_SIGNING_CHAIN_FILE). Without them, a self-signed development key (EC P-256,
subject « opencertif — clé de développement ») is created on first use in
PASSPORT_KEY_DIR, once: two processes racing each write their own temporary file and the
first to link it in place wins; the other reads the winner's.

Certificates the platform used before a key change (PASSPORT_PREVIOUS_CERT_FILES) stay
recognised by the verification and published in the JWKS."""

import contextlib
import datetime
import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc.jwk import ECKey, InvalidKeyTypeError, KeySet, RSAKey

DEVELOPMENT_SUBJECT = "opencertif — clé de développement"
DEVELOPMENT_FILE = "development-signing.pem"
DEVELOPMENT_YEARS = 10


@dataclass(frozen=True)
class SigningMaterial:
    """The key and certificates, as PEM and as parsed objects."""

    key_pem: bytes
    cert_pem: bytes
    chain_pem: bytes
    development: bool

    @functools.cached_property
    def private_key(self):
        return serialization.load_pem_private_key(self.key_pem, password=None)

    @functools.cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    @functools.cached_property
    def chain(self) -> list[x509.Certificate]:
        return x509.load_pem_x509_certificates(self.chain_pem) if self.chain_pem else []

    @functools.cached_property
    def jwk(self):
        return _jwk(self.key_pem, private=True)

    @property
    def algorithm(self) -> str:
        return algorithm(self.jwk)

    @property
    def kid(self) -> str:
        return self.jwk.kid

    @property
    def signer_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.certificate.subject.rfc4514_string()


def _jwk(pem: bytes, *, private: bool):
    """A PEM key as a JWK whose `kid` is its RFC 7638 thumbprint (EC P-256 or RSA)."""
    for kind in (ECKey, RSAKey):
        try:
            key = kind.import_key(pem)
        except (ValueError, TypeError, InvalidKeyTypeError):
            continue
        return kind.import_key(key.as_dict(private=private), {"kid": key.thumbprint()})
    raise ValueError("clé ni EC ni RSA")


def algorithm(key) -> str:
    """The JWS algorithm of a key: ES256 (EC P-256, the development key) or RS256."""
    return "RS256" if isinstance(key, RSAKey) else "ES256"


def fingerprint(certificate: x509.Certificate) -> str:
    """The SHA-256 of a certificate's DER encoding, in hex."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def current() -> SigningMaterial:
    """The platform's signing material as the settings name it (created on first use for
    the development key)."""
    return _load(
        settings.PASSPORT_SIGNING_KEY_FILE or "",
        settings.PASSPORT_SIGNING_CERT_FILE or "",
        settings.PASSPORT_SIGNING_CHAIN_FILE or "",
        str(settings.PASSPORT_KEY_DIR),
    )


@functools.lru_cache(maxsize=4)
def _load(key_file: str, cert_file: str, chain_file: str, key_dir: str) -> SigningMaterial:
    if key_file and cert_file:
        try:
            material = SigningMaterial(
                key_pem=Path(key_file).read_bytes(),
                cert_pem=Path(cert_file).read_bytes(),
                chain_pem=Path(chain_file).read_bytes() if chain_file else b"",
                development=False,
            )
            material.private_key  # noqa: B018 (fail now on an unreadable key)
            material.certificate  # noqa: B018
        except (OSError, ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"La clé ou le certificat de signature des passeports est illisible : {exc}"
            ) from exc
        return material
    return _development(Path(key_dir))


def _development(folder: Path) -> SigningMaterial:
    path = folder / DEVELOPMENT_FILE
    if not path.exists():
        _create_development(folder, path)
    data = path.read_bytes()
    key_pem, _, rest = data.partition(b"-----END PRIVATE KEY-----")
    key_pem += b"-----END PRIVATE KEY-----\n"
    return SigningMaterial(
        key_pem=key_pem, cert_pem=rest.strip() + b"\n", chain_pem=b"", development=True
    )


def _create_development(folder: Path, path: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, DEVELOPMENT_SUBJECT),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "opencertif (développement)"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * DEVELOPMENT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + certificate.public_bytes(serialization.Encoding.PEM)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".signing-", suffix=".tmp")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # link() fails when the file exists: the first process wins, never overwritten.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def previous_certificates() -> list[x509.Certificate]:
    """Certificates the platform signed with before its current one."""
    return list(_previous(tuple(settings.PASSPORT_PREVIOUS_CERT_FILES or ())))


@functools.lru_cache(maxsize=4)
def _previous(files: tuple[str, ...]) -> tuple[x509.Certificate, ...]:
    found = []
    for name in files:
        try:
            found.extend(x509.load_pem_x509_certificates(Path(name).read_bytes()))
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"Certificat précédent de signature illisible ({name}) : {exc}"
            ) from exc
    return tuple(found)


def platform_fingerprints() -> set[str]:
    """The fingerprints of every certificate a document signed by the platform may carry."""
    return {fingerprint(current().certificate)} | {fingerprint(c) for c in previous_certificates()}


def public_keys() -> KeySet:
    """The platform's public keys (current first), for verifying credentials."""
    certificates = [current().certificate, *previous_certificates()]
    keys = []
    for certificate in certificates:
        pem = certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        try:
            keys.append(_jwk(pem, private=False))
        except ValueError:
            continue  # a key JOSE cannot use: it signed PDFs only
    return KeySet(keys)


def jwks() -> dict:
    """The public keys as a JSON Web Key Set, each with its RFC 7638 thumbprint as `kid`,
    `use` sig and its `alg`."""
    return {
        "keys": [
            {**key.as_dict(private=False), "kid": key.kid, "use": "sig", "alg": algorithm(key)}
            for key in public_keys().keys
        ]
    }
