"""Uploads bounded before they are written anywhere.

Django streams a multipart body to a temporary file whatever its size, and a view can only
refuse it afterwards. `UploadLimitMiddleware` puts `UploadLimit` first among the upload
handlers of every multipart request (before the CSRF check reads the body): past
DEPOSIT_MAX_BYTES, the largest upload the platform accepts, the rest of the body is read
and dropped, and `request.upload_too_big` tells the view, which answers with the limit
(the API answers 413 here, since its views never see a missing file). A Content-Length
already over the limit is refused without reading.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import JsonResponse

# Room for the form's other fields and the multipart boundaries.
MARGIN = 1_000_000


def too_big_message() -> str:
    limit = settings.DEPOSIT_MAX_BYTES
    return (
        f"Le fichier dépasse la taille maximale d'un dépôt ({limit // 1_000_000} Mo) : "
        "répartissez les passages sur plusieurs fichiers."
    )


class UploadLimit(FileUploadHandler):
    """Stops receiving an upload past DEPOSIT_MAX_BYTES: the rest of the request is read
    and dropped, never written to disk."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DEPOSIT_MAX_BYTES:
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
            if length > settings.DEPOSIT_MAX_BYTES + MARGIN:
                request.upload_too_big = True
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": too_big_message()}, status=413)
            request.upload_handlers.insert(0, UploadLimit(request))
            if request.path.startswith("/api/"):
                request.FILES  # noqa: B018 (read the body now, through the limit)
                if request.upload_too_big:
                    return JsonResponse({"detail": too_big_message()}, status=413)
        return self.get_response(request)
