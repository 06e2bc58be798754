"""Uploads bounded before they are written anywhere.

Django streams a multipart body to a temporary file whatever its size, and a view can only
refuse it afterwards. `UploadLimitMiddleware` puts `UploadLimit` first among the upload
handlers of every multipart request (before the CSRF check reads the body): past
DEPOSIT_MAX_BYTES, the largest upload the platform accepts (PASSPORT_VERIFY_MAX_BYTES for
the verification of a signed document, read in the request), the rest of the body is read
and dropped, and `request.upload_too_big` tells the view, which answers with the limit
(the API answers 413 here, since its views never see a missing file). A Content-Length
already over the limit is refused without reading.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import JsonResponse

from opencertif.passports import verification

# Room for the form's other fields and the multipart boundaries.
MARGIN = 1_000_000
# Uploads read in the request (the public verification of a signed document): bounded by
# PASSPORT_VERIFY_MAX_BYTES, a few megabytes, instead.
SMALL_UPLOAD_PATHS = ("/verifier/", "/api/passport/")


def limit_for(path: str) -> int:
    """The largest upload accepted at this path."""
    if path.startswith(SMALL_UPLOAD_PATHS):
        return settings.PASSPORT_VERIFY_MAX_BYTES
    return settings.DEPOSIT_MAX_BYTES


def too_big_message(path: str = "") -> str:
    if path.startswith(SMALL_UPLOAD_PATHS):
        return verification.too_big_message()
    limit = settings.DEPOSIT_MAX_BYTES
    return (
        f"Le fichier dépasse la taille maximale d'un dépôt ({limit // 1_000_000} Mo) : "
        "répartissez les passages sur plusieurs fichiers."
    )


class UploadLimit(FileUploadHandler):
    """Stops receiving an upload past its path's limit (`limit_for`): the rest of the
    request is read and dropped, never written to disk."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.limit = limit_for(request.path if request is not None else "")

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_big = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.upload_too_big = False
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit_for(request.path) + MARGIN:
                request.upload_too_big = True
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": too_big_message(request.path)}, status=413)
            request.upload_handlers.insert(0, UploadLimit(request))
            if request.path.startswith("/api/"):
                request.FILES  # noqa: B018 (read the body now, through the limit)
                if request.upload_too_big:
                    return JsonResponse({"detail": too_big_message(request.path)}, status=413)
        return self.get_response(request)
