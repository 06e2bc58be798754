"""Public verification of the platform's signed documents (no token): the same verdict as
the /verifier/ page, as JSON."""

from django.conf import settings
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from opencertif.api.auth import PUBLIC
from opencertif.passports import verification

router = Router(tags=["Passeport"])


class DocumentOut(Schema):
    id: str
    kind: str
    issued_at: str
    holder_name: str
    title: str


class EntryOut(Schema):
    kind: str
    label: str
    status: str
    date: str | None
    message: str


class VerdictOut(Schema):
    valid: bool
    problems: list[str]
    signer: str | None
    signed_at: str | None
    document: DocumentOut | None
    entries: list[EntryOut]


class ErrorOut(Schema):
    detail: str


@router.post(
    "/verify",
    auth=PUBLIC,
    response={200: VerdictOut, 400: ErrorOut, 413: ErrorOut},
    summary="Vérifier un CV signé (PDF) ou une attestation numérique (VC-JWT)",
)
def verify(request, file: File[UploadedFile] = None):
    """Check a document issued by the platform (multipart field `file`: the PDF or the
    .jwt), without a token. `valid` is true only when the signature is intact, covers the
    whole file and was made by the platform; `entries` tells, for each guaranteed
    certification, whether it is still `valid`, `modified` (with the date) or `withdrawn`
    by its certifier (with the date), and marks declarative entries `declarative`.
    A file over the limit (a few megabytes) is refused with 413."""
    if getattr(request, "upload_too_big", False):
        return Status(413, {"detail": verification.too_big_message()})
    if file is None:
        return Status(400, {"detail": "Joignez le document à vérifier (champ multipart « file »)."})
    data = file.read(settings.PASSPORT_VERIFY_MAX_BYTES + 1)
    if len(data) > settings.PASSPORT_VERIFY_MAX_BYTES:
        return Status(413, {"detail": verification.too_big_message()})
    return verification.verify_file(data, file.name or "").as_json()
