"""The rights matrix of docs/architecture.md, walked over HTTP: every role (manager,
member, reader, another organisation's manager, platform staff) tries every action of the
organisation space outside the deposit and passage pages; the answer and what changed in
the database must be what the matrix says."""

import datetime
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import get_resolver
from django.utils import timezone

from opencertif.deposits.models import Delegation, DepositAccount
from opencertif.organisations import perms
from opencertif.organisations.enums import Role
from opencertif.organisations.models import (
    ApiToken,
    Document,
    Invitation,
    JoinRequest,
    Membership,
)
from tests import factories
from tests.factories import page

pytestmark = pytest.mark.django_db

ROLES = ("manager", "member", "reader", "other_manager", "staff")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


@pytest.fixture
def world():
    org = factories.organisation("Université Alpha")
    people = {
        "manager": factories.manager(org),
        "member": factories.member(org),
        "reader": factories.member(org, Role.READER),
        "other_manager": factories.manager(factories.organisation("Organisme Bêta")),
        "staff": factories.staff(),
    }
    colleague = factories.member(org)  # whose role changes, who is removed
    applicant = factories.user(is_active=False)
    path = default_storage.save("documents/matrice.pdf", ContentFile(factories.PDF))
    certifier = DepositAccount.objects.create(
        organisation=org, role="certifier", id_client="ALPH0001", id_contract="C1"
    )
    depositor = DepositAccount.objects.create(
        organisation=factories.organisation("Tiers"), role="depositor", id_client="TIER0001"
    )
    ids = {
        "org": org.pk,
        "colleague": Membership.objects.get(user=colleague).pk,
        "join": JoinRequest.objects.create(user=applicant, organisation=org, state="pending").pk,
        "invitation": Invitation.objects.create(
            organisation=org,
            email="invitee@alpha.fr",
            expires_at=timezone.now() + datetime.timedelta(days=3),
        ).pk,
        "document": Document.objects.create(
            kind="legal_proof",
            organisation=org,
            path=path,
            original_name="kbis.pdf",
            content_type="application/pdf",
            size=len(factories.PDF),
            sha256="0" * 64,
        ).pk,
        "delegation": Delegation.objects.create(depositor=depositor, certifier=certifier).pk,
        "token": ApiToken.objects.create(
            organisation=org, name="ERP", prefix="oc_a", key_hash="a" * 64
        ).pk,
    }
    yield {"people": people, "ids": ids, "org": org}
    default_storage.delete(path)


@dataclass(frozen=True)
class Action:
    """One thing the organisation space lets someone do, and who may."""

    name: str
    method: str
    url: str
    allowed: dict[str, int]  # role → answer; every other role gets a 404
    data: dict = field(default_factory=dict)
    # Whether the action took effect (writes only).
    done: object = None


def role_of_colleague(world) -> str:
    return Membership.objects.get(pk=world["ids"]["colleague"]).role


SEERS = {"manager": 200, "member": 200, "reader": 200}

ACTIONS = [
    Action("see the organisation and its members", "get", "/espace/organismes/{org}/", SEERS),
    Action(
        "change a member's role",
        "post",
        "/espace/organismes/{org}/membres/{colleague}/role/",
        {"manager": 302},
        {"role": "reader"},
        lambda w: role_of_colleague(w) == Role.READER,
    ),
    Action(
        "ask to remove a member",
        "get",
        "/espace/organismes/{org}/membres/{colleague}/retirer/",
        {"manager": 200},
    ),
    Action(
        "remove a member",
        "post",
        "/espace/organismes/{org}/membres/{colleague}/retirer/",
        {"manager": 302},
        done=lambda w: not Membership.objects.filter(pk=w["ids"]["colleague"]).exists(),
    ),
    Action(
        "invite a colleague",
        "post",
        "/espace/organismes/{org}/invitations/",
        {"manager": 302},
        {"email": "new@alpha.fr", "role": "reader"},
        lambda w: Invitation.objects.filter(email="new@alpha.fr", role="reader").exists(),
    ),
    Action(
        "cancel an invitation",
        "post",
        "/espace/organismes/{org}/invitations/{invitation}/annuler/",
        {"manager": 302},
        done=lambda w: Invitation.objects.get(pk=w["ids"]["invitation"]).cancelled_at is not None,
    ),
    Action(
        "accept a join request",
        "post",
        "/espace/organismes/{org}/rattachements/{join}/accepter/",
        {"manager": 302},
        done=lambda w: JoinRequest.objects.get(pk=w["ids"]["join"]).state == "accepted",
    ),
    Action(
        "open the refusal of a join request",
        "get",
        "/espace/organismes/{org}/rattachements/{join}/refuser/",
        {"manager": 200},
    ),
    Action(
        "refuse a join request",
        "post",
        "/espace/organismes/{org}/rattachements/{join}/refuser/",
        {"manager": 302},
        {"reason": "Inconnu du service."},
        lambda w: JoinRequest.objects.get(pk=w["ids"]["join"]).state == "refused",
    ),
    Action(
        "download a supporting document",
        "get",
        "/espace/organismes/{org}/documents/{document}/",
        {"manager": 200, "staff": 200},
    ),
    Action("see the deposit rights", "get", "/espace/organismes/{org}/depot/", SEERS),
    Action(
        "activate the deposit rights",
        "post",
        "/espace/organismes/{org}/depot/",
        {"manager": 302},
        {"situation": "self", "id_client": "ALPH0001", "id_contract": "C1"},
        lambda w: DepositAccount.objects.get(id_client="ALPH0001").activated_at is not None,
    ),
    Action(
        "revoke a delegation",
        "post",
        "/espace/organismes/{org}/depot/delegations/{delegation}/revoquer/",
        {"manager": 302},
        done=lambda w: Delegation.objects.get(pk=w["ids"]["delegation"]).revoked_at is not None,
    ),
    Action("see the API tokens", "get", "/espace/organismes/{org}/api/", {"manager": 200}),
    Action(
        "create an API token",
        "post",
        "/espace/organismes/{org}/api/",
        {"manager": 200},
        {"name": "Nouveau"},
        lambda w: ApiToken.objects.filter(name="Nouveau").exists(),
    ),
    Action(
        "revoke an API token",
        "post",
        "/espace/organismes/{org}/api/{token}/revoquer/",
        {"manager": 302},
        done=lambda w: ApiToken.objects.get(pk=w["ids"]["token"]).revoked_at is not None,
    ),
    Action("see the deposit compliance", "get", "/espace/conformite/{org}/", SEERS),
]


def test_the_matrix_covers_every_organisation_route():
    espace = next(r for r in get_resolver().url_patterns if getattr(r, "namespace", "") == "espace")
    routes = {
        re.sub(r"<[^>]+>", "{}", str(p.pattern))
        for p in espace.url_patterns
        if str(p.pattern).startswith(("organismes/", "conformite/<"))
    }
    covered = {re.sub(r"\{[a-z_]+\}", "{}", a.url.removeprefix("/espace/")) for a in ACTIONS}
    assert routes == covered


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_the_rights_matrix(client, world, action, role):
    client.force_login(world["people"][role])
    response = getattr(client, action.method)(action.url.format(**world["ids"]), action.data)
    expected = action.allowed.get(role, 404)
    assert response.status_code == expected, (role, action.name)
    if action.done is not None:
        assert action.done(world) == (expected != 404), (role, action.name)


def test_a_reader_sees_the_pages_without_any_control_to_change_them(client, world):
    client.force_login(world["people"]["reader"])
    org = world["ids"]["org"]
    html = page(client.get(f"/espace/organismes/{org}/"))
    assert "Vous êtes lecteur (consultation seule)." in html
    assert "pas de les modifier" in html
    for control in ("Changer le rôle", "Retirer ", "Envoyer l'invitation", "Accès API"):
        assert control not in html, control
    html = page(client.get(f"/espace/organismes/{org}/depot/"))
    assert "ALPH0001" in html
    for control in ("Activer", "Révoquer la délégation", "Ne plus déposer"):
        assert control not in html, control
    home = page(client.get("/espace/"))
    assert "Université Alpha" in home and "Lecteur (consultation seule)" in home


def test_a_manager_is_offered_the_reader_role(client, world):
    client.force_login(world["people"]["manager"])
    html = page(client.get(f"/espace/organismes/{world['ids']['org']}/"))
    # The invitation form, and the role form of each member but the last manager
    # (member, reader, colleague).
    assert html.count('<option value="reader"') == 4
    assert "Lecteur : consulte les pages" in html


def test_a_removed_member_loses_access_at_once(client, world):
    member = world["people"]["member"]
    org = world["ids"]["org"]
    client.force_login(member)
    assert client.get(f"/espace/organismes/{org}/").status_code == 200
    boss = world["people"]["manager"]
    manager_client = client.__class__()
    manager_client.force_login(boss)
    target = Membership.objects.get(user=member)
    manager_client.post(f"/espace/organismes/{org}/membres/{target.pk}/retirer/")
    assert client.get(f"/espace/organismes/{org}/").status_code == 404
    assert client.get(f"/espace/organismes/{org}/depot/").status_code == 404
    assert "Université Alpha" not in page(client.get("/espace/"))


def test_a_manager_made_reader_loses_the_controls_at_once(client, world):
    boss, org = world["people"]["manager"], world["ids"]["org"]
    client.force_login(boss)
    factories.manager(world["org"])  # so that the boss is not the last manager
    own = Membership.objects.get(user=boss)
    response = client.post(f"/espace/organismes/{org}/membres/{own.pk}/role/", {"role": "reader"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.role == Role.READER
    response = client.post(
        f"/espace/organismes/{org}/invitations/", {"email": "x@alpha.fr", "role": "member"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.filter(email="x@alpha.fr").exists()


# The documented matrix: one row per right, one column per role (docs/architecture.md).
_COLUMNS = ("manager", "member", "reader", "staff")


def documented_matrix() -> dict[str, set[str]]:
    after = DOCS.read_text().split("### Rights matrix", 1)[1].splitlines()
    table = itertools.takewhile(
        lambda line: line.startswith("|"),
        itertools.dropwhile(lambda line: not line.startswith("|"), after),
    )
    rows = {}
    for line in list(table)[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        right = re.search(r"`([a-z_]+)`", cells[1]).group(1)
        rows[right] = {role for role, mark in zip(_COLUMNS, cells[2:], strict=True) if mark == "✓"}
    return rows


def test_the_documented_matrix_is_the_code():
    held = {
        right.value: {
            role for role in ("manager", "member", "reader") if right in perms.ROLE_RIGHTS[role]
        }
        | ({"staff"} if right in perms.STAFF_RIGHTS else set())
        for right in perms.Right
    }
    assert documented_matrix() == held


@pytest.mark.parametrize(
    "url",
    [
        "/espace/depots/nouveau/",
        "/espace/tableur/",
        "/espace/passages/declarer/",
        "/espace/passages/suppression/",
    ],
)
def test_until_the_deposit_and_passage_pages_ask_perms_a_reader_gets_no_write(client, demo, url):
    """Those pages use one set of organisations for seeing and changing
    (`Organisation.objects.of_user`); it leaves readers out rather than let them write."""
    university = demo["university"]
    client.force_login(factories.member(university, Role.READER))
    assert client.get(url).status_code == 403
    assert client.post(url, {"organisation": university.pk}).status_code == 403
    client.force_login(factories.member(university))
    expected = 403 if "suppression" in url else 200  # mass deletion: managers only
    assert client.get(url).status_code == expected
