"""FranceConnect's claims for the provider's users: one scope per claim, as FranceConnect
names them (given_name, family_name, birthdate, gender, birthplace, birthcountry, email).
The identities come from the JSON file PROVIDER_IDENTITIES ({username: claims})."""

import json
import os
from pathlib import Path

from oidc_provider.lib.claims import ScopeClaims

CLAIMS = ("given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry")


def identities() -> dict:
    return json.loads(Path(os.environ["PROVIDER_IDENTITIES"]).read_text())


def userinfo(claims: dict, user) -> dict:
    claims.update(identities().get(user.username, {}))
    return claims


def _scope(name):
    def scope(self):
        return {name: self.userinfo.get(name)}

    return scope


class FranceConnectClaims(ScopeClaims):
    """Each FranceConnect scope gives its one claim (the email scope is the standard one)."""


for _name in CLAIMS:
    setattr(FranceConnectClaims, f"scope_{_name}", _scope(_name))
