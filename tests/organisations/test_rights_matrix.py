"""The rights matrix of docs/architecture.md, walked over HTTP: every role (manager,
member, reader, another organisation's manager, platform staff) tries every action of the
organisation space, then of the deposit and passage pages; the answer and what changed in
the database must be what the matrix says."""

import datetime
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, resolve
from django.utils import timezone

from opencertif.deposits.enums import (
    DepositState,
    PassageStatus,
    SheetAction,
    SheetImportState,
)
from opencertif.deposits.models import (
    Delegation,
    Deposit,
    DepositAccount,
    Passage,
    PassageEvent,
    SheetImport,
)
from opencertif.organisations import perms
from opencertif.organisations.enums import Role
from opencertif.organisations.models import (
    ApiToken,
    Document,
    Invitation,
    JoinRequest,
    Membership,
)
from opencertif.passages import bulk_deletions as bulk_service
from opencertif.passages.models import BulkDeletion
from tests import factories
from tests.deposits import builders
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
_COLUMNS = ("manager", "member", "reader", "staff", "token")


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
        | ({"token"} if right in perms.TOKEN_RIGHTS else set())
        for right in perms.Right
    }
    assert documented_matrix() == held


# ------------------------------------------------------------------ deposits and passages


@pytest.fixture
def deposit_world(client, demo, deposit):
    """The demo university (certifier DEMO0001) with a manager, a member and a reader; a
    processed deposit of six passages (U-2 deleted since), a failed deposit, a spreadsheet
    converted into XML, and mass deletions: a draft, a finished one, a failed one."""
    university = demo["university"]
    boss = university.memberships.get().user
    people = {
        "manager": boss,
        "member": factories.member(university),
        "reader": factories.member(university, Role.READER),
        "other_manager": factories.manager(factories.organisation("Organisme Bêta")),
        "staff": factories.staff(),
    }
    builders.person()
    done = deposit(
        builders.deposit_file([builders.passage(f"U-{n}") for n in range(1, 7)]),
        name="matrice.xml",
    )
    failed = deposit(builders.deposit_file([builders.passage("F-1")]), name="relance.xml")
    Deposit.objects.filter(pk=failed.pk).update(state=DepositState.FAILED)
    passage = {n: Passage.objects.get(id_technique=f"U-{n}").pk for n in range(1, 7)}
    client.force_login(boss)
    client.post(f"/espace/passages/{passage[2]}/supprimer/", {"reason": "Doublon."})
    assert Passage.objects.get(pk=passage[2]).status == PassageStatus.DELETED

    def bulk(number: int, **state) -> int:
        selection = bulk_service.select(
            organisation=university, kind="selection", criteria={"ids": [passage[number]]}
        )
        made = bulk_service.prepare(organisation=university, selection=selection, by=boss)
        BulkDeletion.objects.filter(pk=made.pk).update(**state)
        return made.pk

    xml = default_storage.save("sheets/matrice.xml", ContentFile(b"<passages/>"))
    sheet = SheetImport.objects.create(
        organisation=university,
        created_by=boss,
        action=SheetAction.XML,
        file_name="promo-matrice.csv",
        size=10,
        state=SheetImportState.DONE,
        xml_path=xml,
        xml_name="promo-matrice.xml",
    )
    ids = {
        "org": university.pk,
        "deposit": done.pk,
        "failed": failed.pk,
        "sheet": sheet.pk,
        "passage": passage[1],
        "deleted": passage[2],
        "selected": passage[3],
        "draft": bulk(4),
        "bulk_done": bulk(5, state="done", finished_at=timezone.now()),
        "bulk_failed": bulk(6, state="failed"),
    }
    client.logout()
    yield {"people": people, "ids": ids, "org": university}
    default_storage.delete(xml)


def fingerprint() -> tuple:
    """The domain's state that a refused action must leave as it was (audit entries of
    reads aside)."""
    return (
        sorted(Deposit.objects.values_list("pk", "state")),
        sorted(Passage.objects.values_list("pk", "status", "content_hash")),
        PassageEvent.objects.count(),
        sorted(SheetImport.objects.values_list("pk", "state")),
        sorted(BulkDeletion.objects.values_list("pk", "state")),
    )


@dataclass(frozen=True)
class Step:
    """One thing the deposit and passage pages let someone do, and who may."""

    name: str
    method: str
    url: str
    allowed: dict[str, int]  # role → answer
    refused: int = 404  # what every other role gets
    data: object = None  # a dict, or a function of the world (uploads are read once)
    done: object = None  # whether the write took effect
    # Who makes the write, when not every allowed role does (another organisation's
    # manager opens the mass deletion for their own passages, never for these).
    writers: tuple = ()
    # A list that every signed-in person opens: this text is in it for the organisation's
    # people only (another organisation's, and staff's, is empty of it).
    shows: str = ""


STEP_IDS = (
    "org",
    "deposit",
    "failed",
    "sheet",
    "passage",
    "deleted",
    "selected",
    "draft",
    "bulk_done",
    "bulk_failed",
)
READERS = {"manager": 200, "member": 200, "reader": 200}
WRITERS = {"manager": 302, "member": 302}
FORMS = {"manager": 200, "member": 200}  # a form page, or a form sent back with its errors
EVERYONE = dict.fromkeys(ROLES, 200)


def _file(name: str, content: bytes):
    return lambda w: {"organisation": w["ids"]["org"], "file": SimpleUploadedFile(name, content)}


STEPS = [
    Step("list the deposits", "get", "/espace/depots/", EVERYONE, 200, shows="matrice.xml"),
    Step("open the upload page", "get", "/espace/depots/nouveau/", READERS | {"reader": 403}, 403),
    Step(
        "deposit a file",
        "post",
        "/espace/depots/nouveau/",
        WRITERS,
        403,
        _file("nouveau.xml", builders.deposit_file([builders.passage("N-1")])),
        lambda w: Deposit.objects.filter(file_name="nouveau.xml").exists(),
    ),
    Step(
        "download a sample file",
        "get",
        "/espace/depots/exemple/?organisation={org}",
        {"manager": 200, "member": 200},
    ),
    Step("see a deposit", "get", "/espace/depots/{deposit}/", READERS),
    Step("download its report", "get", "/espace/depots/{deposit}/accuse.csv", READERS),
    Step(
        "run a failed deposit again",
        "post",
        "/espace/depots/{failed}/relancer/",
        WRITERS,
        done=lambda w: Deposit.objects.get(pk=w["ids"]["failed"]).state != DepositState.FAILED,
    ),
    Step("open the spreadsheet page", "get", "/espace/tableur/", READERS | {"reader": 403}, 403),
    Step(
        "deposit a spreadsheet",
        "post",
        "/espace/tableur/",
        WRITERS,
        403,
        _file("nouveau.csv", b"idTechnique;nom\nN-2;Martin\n"),
        lambda w: SheetImport.objects.filter(file_name="nouveau.csv").exists(),
    ),
    Step("download the xlsx template", "get", "/espace/tableur/modele.xlsx", EVERYONE, 200),
    Step("download the csv template", "get", "/espace/tableur/modele.csv", EVERYONE, 200),
    Step("see a spreadsheet conversion", "get", "/espace/tableur/{sheet}/", READERS),
    Step("download its XML file", "get", "/espace/tableur/{sheet}/fichier.xml", READERS),
    Step("see the compliance of every organisation", "get", "/espace/conformite/", EVERYONE, 200),
    Step("list the passages", "get", "/espace/passages/", EVERYONE, 200, shows="U-1"),
    Step(
        "export the passages",
        "get",
        "/espace/passages/export.csv",
        EVERYONE,
        200,
        shows="U-1",
    ),
    Step("see a passage", "get", "/espace/passages/{passage}/", READERS),
    Step("open the declaration form", "get", "/espace/passages/declarer/", FORMS, 403),
    Step("declare a passage", "post", "/espace/passages/declarer/", FORMS, 403, {}),
    Step("open a passage's modification", "get", "/espace/passages/{passage}/modifier/", FORMS),
    Step("modify a passage", "post", "/espace/passages/{passage}/modifier/", FORMS, data={}),
    Step("open a passage's deletion", "get", "/espace/passages/{passage}/supprimer/", FORMS),
    Step(
        "delete a passage",
        "post",
        "/espace/passages/{passage}/supprimer/",
        WRITERS,
        data={"reason": "Saisi deux fois."},
        done=lambda w: Passage.objects.get(pk=w["ids"]["passage"]).status == PassageStatus.DELETED,
    ),
    Step(
        "restore a passage",
        "post",
        "/espace/passages/{deleted}/restaurer/",
        WRITERS,
        done=lambda w: Passage.objects.get(pk=w["ids"]["deleted"]).status != PassageStatus.DELETED,
    ),
    Step(
        "open a mass deletion",
        "get",
        "/espace/passages/suppression/",
        {"manager": 200, "other_manager": 200},
        403,
    ),
    Step(
        "prepare a mass deletion",
        "post",
        "/espace/passages/suppression/",
        {"manager": 302, "other_manager": 302},
        403,
        lambda w: {"kind": "selection", "ids": [w["ids"]["selected"]]},
        lambda w: BulkDeletion.objects.filter(passage_ids=[w["ids"]["selected"]]).exists(),
        writers=("manager",),
    ),
    Step("list the mass deletions", "get", "/espace/passages/suppressions/", EVERYONE, 200),
    Step("see a mass deletion", "get", "/espace/passages/suppressions/{draft}/", {"manager": 200}),
    Step(
        "confirm a mass deletion",
        "post",
        "/espace/passages/suppressions/{draft}/confirmer/",
        {"manager": 302},
        data={"confirmation": "SUPPRIMER 1", "reason": "Promotion annulée."},
        done=lambda w: BulkDeletion.objects.get(pk=w["ids"]["draft"]).state != "draft",
    ),
    Step(
        "restore a mass deletion",
        "post",
        "/espace/passages/suppressions/{bulk_done}/restaurer/",
        {"manager": 302},
        done=lambda w: BulkDeletion.objects.get(pk=w["ids"]["bulk_done"]).state != "done",
    ),
    Step(
        "run a failed mass deletion again",
        "post",
        "/espace/passages/suppressions/{bulk_failed}/relancer/",
        {"manager": 302},
        done=lambda w: BulkDeletion.objects.get(pk=w["ids"]["bulk_failed"]).state != "failed",
    ),
]


def test_the_matrix_covers_every_deposit_and_passage_route():
    espace = next(r for r in get_resolver().url_patterns if getattr(r, "namespace", "") == "espace")
    routes = {
        p.name
        for p in espace.url_patterns
        if str(p.pattern).startswith(("depots/", "tableur/", "passages/", "conformite/"))
        and p.name != "compliance_organisation"  # in the organisation space's table
    }
    ids = dict.fromkeys(STEP_IDS, 1)
    covered = {resolve(s.url.format(**ids).split("?")[0]).url_name for s in STEPS}
    assert routes == covered


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig", "replace")
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_the_rights_matrix_of_deposits_and_passages(client, deposit_world, step, role):
    world = deposit_world
    client.force_login(world["people"][role])
    data = step.data(world) if callable(step.data) else step.data
    before = fingerprint()
    response = getattr(client, step.method)(step.url.format(**world["ids"]), data or {})
    allowed = role in step.allowed
    expected = step.allowed[role] if allowed else step.refused
    assert response.status_code == expected, (role, step.name)
    if step.shows:
        assert (step.shows in _body(response)) == (role in READERS), (role, step.name)
    writes = role in (step.writers or step.allowed)
    if step.done is not None:
        assert step.done(world) == writes, (role, step.name)
    if not allowed or (step.done is not None and not writes):
        assert fingerprint() == before, (role, step.name)


def test_a_reader_reads_the_deposit_and_passage_pages_without_any_control_to_write(
    client, deposit_world
):
    world, ids = deposit_world, deposit_world["ids"]
    client.force_login(world["people"]["reader"])
    html = page(client.get("/espace/passages/"))
    assert "U-1" in html
    for control in ("Déclarer un passage", "Supprimer des passages en masse", "cochés"):
        assert control not in html, control
    html = page(client.get(f"/espace/passages/{ids['passage']}/"))
    assert "U-1" in html
    for control in ("Modifier", "Supprimer</a>"):
        assert control not in html, control
    html = page(client.get(f"/espace/passages/{ids['deleted']}/"))
    assert "Passage supprimé" in html and "Restaurer</button>" not in html
    html = page(client.get("/espace/depots/"))
    assert "matrice.xml" in html and "Déposer un fichier" not in html
    assert "demandez à un gestionnaire de votre organisme de vous nommer membre" in html
    html = page(client.get(f"/espace/depots/{ids['failed']}/"))
    assert "Relancer le traitement" not in html
    refusal = client.get("/espace/depots/nouveau/")
    assert refusal.status_code == 403
    assert "Votre rôle ne permet pas de déposer" in page(refusal)


def test_a_member_gets_the_controls_of_the_rights_they_hold(client, deposit_world):
    ids = deposit_world["ids"]
    client.force_login(deposit_world["people"]["member"])
    html = page(client.get("/espace/passages/"))
    assert "Déclarer un passage" in html and "Supprimer des passages en masse" not in html
    html = page(client.get(f"/espace/passages/{ids['passage']}/"))
    assert "Modifier" in html and "Supprimer</a>" in html
    assert "Restaurer</button>" in page(client.get(f"/espace/passages/{ids['deleted']}/"))
    assert "Relancer le traitement" in page(client.get(f"/espace/depots/{ids['failed']}/"))
