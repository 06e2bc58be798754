"""Who calls the API. Every route authenticates by default (the NinjaAPI's `auth`); a
public route says so with `auth=PUBLIC`, on purpose: the registry, and the coming
public verification of passports."""

from ninja.security import HttpBearer

from opencertif.organisations.services import organisation_for_token

# ninja reads an explicit None as "no authentication" (leaving it out inherits the API's).
PUBLIC = None


class OrganisationToken(HttpBearer):
    """An organisation's API token (`Authorization: Bearer <token>`), created by its
    managers in its space; only its SHA-256 is stored."""

    def authenticate(self, request, token):
        found = organisation_for_token(token)
        if found is None:
            return None
        request.api_organisation, request.api_token = found
        return found[0]
