"""An organisation's manager can never see nor act on another organisation: every view."""

import datetime

import pytest
from django.urls import get_resolver
from django.utils import timezone

from opencertif.deposits.models import Delegation, DepositAccount
from opencertif.organisations.models import (
    ApiToken,
    Document,
    Invitation,
    JoinRequest,
    Membership,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    org_a = factories.organisation("Organisme A")
    org_b = factories.organisation("Organisme B")
    manager_a = factories.manager(org_a)
    factories.manager(org_b)
    member_b = factories.member(org_b)
    applicant = factories.user(is_active=False)
    join = JoinRequest.objects.create(user=applicant, organisation=org_b, state="pending")
    invitation = Invitation.objects.create(
        organisation=org_b,
        email="invite@b.fr",
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    document = Document.objects.create(
        kind="legal_proof",
        organisation=org_b,
        path="documents/b.pdf",
        original_name="b.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    certifier = DepositAccount.objects.create(
        organisation=org_b, role="certifier", id_client="BBBB0001", id_contract="C1"
    )
    third = factories.organisation("Organisme C")
    depositor = DepositAccount.objects.create(
        organisation=third, role="depositor", id_client="CCCC0001"
    )
    delegation = Delegation.objects.create(depositor=depositor, certifier=certifier)
    token = ApiToken.objects.create(
        organisation=org_b, name="ERP", prefix="oc_x", key_hash="f" * 64
    )
    return {
        "token": token.pk,
        "b": org_b.pk,
        "member": Membership.objects.get(user=member_b).pk,
        "join": join.pk,
        "invitation": invitation.pk,
        "document": document.pk,
        "delegation": delegation.pk,
        "manager_a": manager_a,
        "org_b": org_b,
    }


ORGANISATION_VIEWS = [
    ("get", "/espace/organismes/{b}/"),
    ("post", "/espace/organismes/{b}/membres/{member}/role/"),
    ("get", "/espace/organismes/{b}/membres/{member}/retirer/"),
    ("post", "/espace/organismes/{b}/membres/{member}/retirer/"),
    ("post", "/espace/organismes/{b}/invitations/"),
    ("post", "/espace/organismes/{b}/invitations/{invitation}/annuler/"),
    ("post", "/espace/organismes/{b}/rattachements/{join}/accepter/"),
    ("get", "/espace/organismes/{b}/rattachements/{join}/refuser/"),
    ("post", "/espace/organismes/{b}/rattachements/{join}/refuser/"),
    ("get", "/espace/organismes/{b}/documents/{document}/"),
    ("get", "/espace/organismes/{b}/depot/"),
    ("post", "/espace/organismes/{b}/depot/"),
    ("post", "/espace/organismes/{b}/depot/delegations/{delegation}/revoquer/"),
    ("get", "/espace/organismes/{b}/api/"),
    ("post", "/espace/organismes/{b}/api/"),
    ("post", "/espace/organismes/{b}/api/{token}/revoquer/"),
]


def test_the_list_covers_every_organisation_view():
    routes = {
        str(pattern.pattern)
        for resolver in get_resolver().url_patterns
        if getattr(resolver, "namespace", None) == "espace"
        for pattern in resolver.url_patterns
        if str(pattern.pattern).startswith("organismes/")
    }
    covered = {url.split("/espace/")[1].split("{")[0] for _, url in ORGANISATION_VIEWS}
    prefixes = {route.split("<")[0] for route in routes}
    assert prefixes <= covered | {"organismes/"}, prefixes - covered


@pytest.mark.parametrize(("method", "url"), ORGANISATION_VIEWS)
def test_another_organisations_manager_gets_404(client, world, method, url):
    client.force_login(world["manager_a"])
    data = {
        "role": "manager",
        "email": "x@a.fr",
        "reason": "non",
        "situation": "self",
        "id_client": "BBBB0001",
        "id_contract": "C1",
    }
    response = getattr(client, method)(url.format(**world), data)
    assert response.status_code == 404
    # nothing changed on B's side
    org_b = world["org_b"]
    assert Membership.objects.filter(organisation=org_b).count() == 2
    assert JoinRequest.objects.get(pk=world["join"]).state == "pending"
    assert Invitation.objects.get(pk=world["invitation"]).cancelled_at is None
    assert Delegation.objects.get(pk=world["delegation"]).revoked_at is None
    assert DepositAccount.objects.get(id_client="BBBB0001").activated_at is None
    assert not Invitation.objects.filter(email="x@a.fr").exists()
    assert ApiToken.objects.get(pk=world["token"]).revoked_at is None
    assert org_b.api_tokens.count() == 1


@pytest.mark.parametrize(("method", "url"), ORGANISATION_VIEWS)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, method, url):
    response = getattr(client, method)(url.format(**world))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


def test_staff_pages_refuse_organisation_managers(client, world):
    client.force_login(world["manager_a"])
    for url in (
        "/instruction/",
        f"/instruction/organismes/{world['b']}/",
        f"/instruction/documents/{world['document']}/",
        "/instruction/rattachements/",
    ):
        assert client.get(url).status_code == 403
