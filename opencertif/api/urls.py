"""The API (django-ninja): OpenAPI at /api/openapi.json, interactive docs at /api/docs.

The API authenticates on its own terms, so its views are exempt from the site's
login-required middleware: every route needs an organisation's token (the API's default
`auth`), except those marked `auth=PUBLIC` (the registry).

The interactive docs work offline: with "ninja" in INSTALLED_APPS, django-ninja renders
Swagger UI from its own static files, which the platform serves under the site's
Content-Security-Policy (no inline script).
"""

import contextlib

from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError

from opencertif.api.auth import OrganisationToken
from opencertif.api.deposits import router as deposits_router
from opencertif.api.passages import router as passages_router
from opencertif.api.passport import router as passport_router
from opencertif.api.registry import router as registry_router

api = NinjaAPI(
    title="API opencertif",
    # Deny by default: a route without its own `auth` needs an organisation's token.
    auth=OrganisationToken(),
    version="1.0",
    description=(
        "Répertoire des certifications (RNCP, RS) ; dépôts de passages et rapports de "
        "traitement ; consultation, suppression et restauration des passages."
    ),
    urls_namespace="api",
    docs_url="/docs",
    # No "validate this spec" badge: it would be an image from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
)
_EXPECTED = {
    "less_than_equal": "au plus {le}",
    "less_than": "moins de {lt}",
    "greater_than_equal": "au moins {ge}",
    "greater_than": "plus de {gt}",
    "int_parsing": "un nombre entier",
    "int_from_float": "un nombre entier",
    "float_parsing": "un nombre",
    "bool_parsing": "true ou false",
    "date_parsing": "une date AAAA-MM-JJ",
    "date_from_datetime_parsing": "une date AAAA-MM-JJ",
    "missing": "obligatoire",
    "string_too_long": "au plus {max_length} caractères",
    "enum": "l'une des valeurs {expected}",
    "literal_error": "l'une des valeurs {expected}",
}


@api.exception_handler(ValidationError)
def _invalid_parameters(request, exc):
    """A parameter the API cannot read is the client's mistake: 400 (not 422), in French,
    naming each parameter and what it must be."""
    problems = []
    for error in exc.errors:
        name = str(error.get("loc", ["?"])[-1])
        wanted = _EXPECTED.get(error.get("type", ""), "")
        with contextlib.suppress(KeyError, IndexError):
            wanted = wanted.format(**(error.get("ctx") or {}))
        problems.append(f"{name} : {wanted}" if wanted else f"{name} : valeur invalide")
    return api.create_response(
        request,
        {
            "detail": "Paramètre(s) invalide(s) — " + " ; ".join(problems) + ".",
            "errors": exc.errors,
        },
        status=400,
    )


api.add_router("/registry", registry_router)
api.add_router("/deposits", deposits_router)
api.add_router("/passages", passages_router)
api.add_router("/passport", passport_router)


def _public(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _public(pattern.url_patterns)
        else:
            pattern.callback.login_required = False
    return patterns


api_urls = api.urls
_public(api_urls[0])
