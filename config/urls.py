from django.contrib import admin
from django.urls import include, path

from opencertif.api.urls import api_urls
from opencertif.www import params  # noqa: F401 (registers the <id:…> URL converter)

urlpatterns = [
    path("", include("opencertif.www.urls")),
    path("repertoire/", include("opencertif.www.public.urls")),
    path("espace/", include("opencertif.www.espace.urls")),
    path("instruction/", include("opencertif.www.instruction.urls")),
    path("passeport/", include("opencertif.www.passeport.urls")),
    path("api/", api_urls),
    path("admin/", admin.site.urls),
]

handler403 = "opencertif.www.views.permission_denied"
handler404 = "opencertif.www.views.page_not_found"
handler500 = "opencertif.www.views.server_error"
