"""Factories for people and organisations, written for the tests."""

import itertools
import re
from html import unescape

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from opencertif.accounts.models import User
from opencertif.accounts.perms import ACCOUNT_VALIDATION, DEPOSIT_IDENTIFIERS
from opencertif.organisations.enums import Role
from opencertif.organisations.models import Membership, Organisation

PASSWORD = "un-mot-de-passe-solide-2026"
_sequence = itertools.count(1)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def user(email: str | None = None, **fields) -> User:
    number = next(_sequence)
    fields.setdefault("first_name", f"Prénom{number}")
    fields.setdefault("last_name", f"Nom{number}")
    return User.objects.create_user(email or f"personne{number}@exemple.fr", PASSWORD, **fields)


def staff(*roles: str) -> User:
    person = user(is_staff=True)
    for role in roles or (ACCOUNT_VALIDATION, DEPOSIT_IDENTIFIERS):
        person.groups.add(Group.objects.get_or_create(name=role)[0])
    return person


def organisation(name: str | None = None, siret: str | None = None) -> Organisation:
    name = name or f"Organisme {next(_sequence)}"
    return Organisation.objects.create(name=name, siret=siret, name_key=Organisation.key_for(name))


def member(org: Organisation, role: str = Role.MEMBER, **fields) -> User:
    person = user(**fields)
    Membership.objects.create(user=person, organisation=org, role=role)
    return person


def manager(org: Organisation, **fields) -> User:
    return member(org, Role.MANAGER, **fields)


def pdf(name: str = "kbis.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def link_in(message, pattern: str = r"https?://[^\s]+") -> str:
    """The path of the first link of a mail matching `pattern`."""
    found = re.search(pattern, message.body)
    assert found, message.body
    return re.sub(r"^https?://[^/]+", "", found.group(0))


def page(response) -> str:
    """The response's HTML with entities decoded (Django escapes apostrophes)."""
    return unescape(response.content.decode())
