"""Public verification of the platform's signed documents (no sign-in): upload a CV PDF
or a credential (.jwt), or open a document's page from its QR code; and the platform's
public keys (JWKS)."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from opencertif.passports import keys, verification
from opencertif.passports.models import SignedDocument
from opencertif.www.forms import DsfrForm


class VerifyForm(DsfrForm):
    file = forms.FileField(
        label="Document à vérifier",
        help_text="Le CV signé (PDF) ou l'attestation numérique (.jwt) émis par opencertif.",
        error_messages={
            "required": "Choisissez le fichier PDF ou .jwt à vérifier.",
            "empty": "Le fichier est vide : choisissez le document émis par opencertif.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jwt,application/pdf"}),
    )


def read_upload(upload) -> bytes:
    """The upload's bytes, never more than the limit allows (plus one, to tell)."""
    return upload.read(settings.PASSPORT_VERIFY_MAX_BYTES + 1)


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request):
    verdict = None
    form = VerifyForm()
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if getattr(request, "upload_too_big", False):
            form.is_valid()
            form.errors["file"] = form.error_class([verification.too_big_message()])
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            verdict = verification.verify_file(read_upload(upload), upload.name or "")
    return render(
        request,
        "www/verify.html",
        {
            "form": form,
            "verdict": verdict,
            "limit_mb": settings.PASSPORT_VERIFY_MAX_BYTES // (1024 * 1024),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_not_required
@require_GET
def verify_document(request, document_id):
    document = get_object_or_404(SignedDocument.objects.select_related("holder"), pk=document_id)
    return render(
        request,
        "www/verify_document.html",
        {"document": document, "verdict": verification.check_document(document)},
    )


@login_not_required
@require_GET
def jwks(request):
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
