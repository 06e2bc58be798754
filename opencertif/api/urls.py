"""The API (django-ninja): OpenAPI at /api/openapi.json, interactive docs at /api/docs.

The API authenticates on its own terms (public registry; tokens for deposits), so its views
are exempt from the site's login-required middleware.
"""

from ninja import NinjaAPI

from opencertif.api.deposits import router as deposits_router
from opencertif.api.passages import router as passages_router
from opencertif.api.registry import router as registry_router

api = NinjaAPI(
    title="API opencertif",
    version="1.0",
    description=(
        "Répertoire des certifications (RNCP, RS) ; dépôts de passages et rapports de "
        "traitement ; consultation, suppression et restauration des passages."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/registry", registry_router)
api.add_router("/deposits", deposits_router)
api.add_router("/passages", passages_router)


def _public(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _public(pattern.url_patterns)
        else:
            pattern.callback.login_required = False
    return patterns


api_urls = api.urls
_public(api_urls[0])
