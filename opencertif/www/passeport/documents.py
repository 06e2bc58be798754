"""The holder's signed documents: a CV as a signed PDF, a certification as an Open Badges
credential. Each is the holder's own only (404 otherwise)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from opencertif.passports import credentials, documents
from opencertif.passports.models import Cv
from opencertif.www.passeport.access import holder_required


def _filename(text: str) -> str:
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in text).strip("-")
    return (safe or "document")[:60]


@holder_required
def cv_pdf(request, pk: int):
    """Issue the CV as a signed PDF and send it (each download is a new signed document,
    stating today's data)."""
    cv = get_object_or_404(Cv, pk=pk, holder=request.holder)
    document, data = documents.issue_cv_pdf(cv=cv, by=request.user)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cv-{_filename(cv.title)}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@holder_required
def badge(request, pk: int):
    """A guaranteed certification of the holder as an Open Badges 3.0 credential (VC-JWT)."""
    passage = get_object_or_404(documents.holder_passages(request.holder), pk=pk)
    try:
        document, token = credentials.issue_credential(
            holder=request.holder, passage=passage, by=request.user
        )
    except credentials.NotTheHoldersPassage as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(token, content_type=credentials.MEDIA_TYPE)
    number = document.entries[0].get("number", "") if document.entries else ""
    response["Content-Disposition"] = f'attachment; filename="badge-{_filename(number)}.jwt"'
    response["Cache-Control"] = "no-store"
    return response
