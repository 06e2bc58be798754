"""Uploaded files: type checked by content (never by name), size limit, SHA-256."""

import hashlib
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


class RejectedFile(ValueError):
    """The file is not acceptable; the message says what to do."""


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes, or None when not PDF/JPEG/PNG."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def check_document(upload: UploadedFile) -> tuple[str, str]:
    """Refuse what is not a PDF, JPEG or PNG of acceptable size; return its type."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise RejectedFile(
            f"Le fichier « {upload.name} » pèse {upload.size / 1_048_576:.1f} Mo : la limite est "
            f"de {limit // 1_048_576} Mo. Réduisez-le (scan en 150 dpi, PDF compressé)."
        )
    if upload.size == 0:
        raise RejectedFile(f"Le fichier « {upload.name} » est vide.")
    upload.seek(0)
    found = sniff(upload.read(16))
    upload.seek(0)
    if found is None:
        raise RejectedFile(
            f"Le fichier « {upload.name} » n'est ni un PDF, ni une image JPEG ou PNG (son "
            "contenu a été vérifié, pas seulement son nom). Enregistrez-le dans l'un de ces "
            "formats."
        )
    return found


def store_private(upload: UploadedFile, *, folder: str, extension: str) -> tuple[str, str]:
    """Save under DATA_DIR/files/<folder>/ with a random name; return (path, sha256).

    The storage lives outside the web root: files are only served by views that check
    who is asking.
    """
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = default_storage.save(f"{folder}/{uuid.uuid4().hex}.{extension}", upload)
    return name, digest.hexdigest()
