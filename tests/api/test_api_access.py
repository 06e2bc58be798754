"""The API denies by default: every route answers 401 without a token, except those
marked public on purpose (the registry, the OpenAPI description and its docs)."""

import re

import pytest
from django.urls import URLPattern, URLResolver

from opencertif.api.urls import api_urls

pytestmark = pytest.mark.django_db

PUBLIC = re.compile(r"^(registry/|openapi\.json$|docs|passport/verify$)")
# ninja's root view: a 404 that lists nothing.
NOTHING = {"api-root"}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _path(route: str) -> str:
    """A concrete path for a route: ids become 1, other parameters a plausible word."""
    route = re.sub(r"<(?:int:)?[a-z]+_id>", "1", route)
    route = re.sub(r"<(?:str:)?fmt>", "xml", route)
    return "/api/" + re.sub(r"<[^>]+>", "x", route)


ROUTES = sorted(
    ((route, pattern) for route, pattern in _routes(api_urls[0]) if pattern.name not in NOTHING),
    key=lambda item: item[0],
)


def test_the_api_has_the_routes_this_test_knows():
    assert len(ROUTES) >= 10 and any(r.startswith("registry/") for r, _ in ROUTES)


@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[r for r, _ in ROUTES])
def test_every_route_needs_a_token_unless_public(client, route, pattern):
    path = _path(route)
    answers = {
        "GET": client.get(path),
        "POST": client.post(path, {}),
    }
    if PUBLIC.match(route):
        assert all(a.status_code != 401 for a in answers.values()), path
    else:
        # Whatever the method the route serves, an anonymous call never gets past the
        # authentication (405 for a method it does not serve at all).
        assert {a.status_code for a in answers.values()} <= {401, 405}, path
        assert 401 in {a.status_code for a in answers.values()}, path
