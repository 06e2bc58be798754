from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from opencertif.passages import statistics
from opencertif.registry.models import Certification

__all__ = ["login_not_required"]

SPACE_PAGES = {
    "vae": {
        "title": "Extranet VAE",
        "intro": (
            "L'espace des conseillers VAE : fiches de synthèse des candidats, recherche de "
            "diplômes et des centres qui les valident."
        ),
    },
}


@login_not_required
def home(request):
    counts = {
        "active": Certification.objects.filter(is_active=True).count(),
        "total": Certification.objects.count(),
    }
    # Figures of the latest background snapshot only: the home page never computes them.
    snapshot = statistics.latest()
    return render(request, "www/home.html", {"counts": counts, "snapshot": snapshot})


def space(request, space: str):
    """Landing page of a signed-in space; the registry is reachable from every one."""
    return render(request, "www/space.html", {"space": SPACE_PAGES[space], "space_key": space})


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request):
    return render(request, "500.html", status=500)
