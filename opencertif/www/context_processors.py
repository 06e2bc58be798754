from django.conf import settings
from django.urls import reverse

SPACES = (
    ("public:search", "Répertoire", "/repertoire/"),
    ("www:space_certifier", "Espace certificateur", "/espace/"),
    ("www:space_passport", "Passeport", "/passeport/"),
    ("www:space_vae", "Extranet VAE", "/vae/"),
)


def site(request):
    """Site title and the header's navigation, with the current space marked."""
    path = request.path
    navigation = [
        {"label": label, "url": reverse(name), "current": path.startswith(prefix)}
        for name, label, prefix in SPACES
    ]
    return {
        "site_title": settings.SITE_TITLE,
        "site_tagline": settings.SITE_TAGLINE,
        "navigation": navigation,
    }
