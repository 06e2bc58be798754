from django.conf import settings
from django.urls import reverse

from opencertif.accounts.perms import is_platform_staff
from opencertif.organisations.models import Organisation

SPACES = (
    ("public:search", "Répertoire", "/repertoire/"),
    ("espace:home", "Espace certificateur", "/espace/"),
    ("passeport:home", "Passeport", "/passeport/"),
    ("www:space_vae", "Extranet VAE", "/vae/"),
)


def site(request):
    """Site title and the header's navigation, with the current space marked."""
    path = request.path
    navigation = [
        {"label": label, "url": reverse(name), "current": path.startswith(prefix)}
        for name, label, prefix in SPACES
    ]
    space_organisations = []
    if path.startswith("/espace/") and request.user.is_authenticated:
        space_organisations = [
            organisation.display_name
            for organisation in Organisation.objects.visible_to(request.user).order_by("name")
        ]
    return {
        "space_organisations": space_organisations,
        "is_staff_user": request.user.is_authenticated and is_platform_staff(request.user),
        "site_title": settings.SITE_TITLE,
        "site_tagline": settings.SITE_TAGLINE,
        "navigation": navigation,
    }
