import datetime

import pytest
from django.utils import timezone

from opencertif.core.models import AuditEntry
from opencertif.organisations.models import Invitation, JoinRequest, Membership
from tests import factories
from tests.factories import page

# Mails leave on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def org():
    return factories.organisation("Université Alpha", siret="73282932000074")


@pytest.fixture
def boss(org):
    return factories.manager(org, email="chef@alpha.fr")


def test_a_manager_invites_a_colleague_who_creates_an_account(client, org, boss, mailoutbox):
    client.force_login(boss)
    client.post(
        f"/espace/organismes/{org.pk}/invitations/",
        {"email": "Collegue@Alpha.fr", "role": "member"},
    )
    invitation = Invitation.objects.get()
    assert invitation.email == "collegue@alpha.fr"
    link = factories.link_in(mailoutbox[-1])
    assert link == f"/espace/invitation/{invitation.token}/"

    client.logout()
    html = page(client.get(link))
    assert "Rejoindre Université Alpha" in html
    response = client.post(
        link,
        {
            "first_name": "Léa",
            "last_name": "Collègue",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
    )
    assert response["Location"] == f"/espace/organismes/{org.pk}/"
    membership = Membership.objects.get(user__email="collegue@alpha.fr")
    assert membership.role == "member" and membership.user.is_active
    assert membership.user.identifier in mailoutbox[-1].body
    # the link cannot be used twice
    assert client.get(link).status_code == 410
    assert AuditEntry.objects.filter(action="membership.created", object_id=str(org.pk)).exists()


def test_an_invitation_for_an_existing_account_asks_to_sign_in(client, org, boss):
    colleague = factories.user("deja@alpha.fr")
    client.force_login(boss)
    client.post(
        f"/espace/organismes/{org.pk}/invitations/", {"email": "deja@alpha.fr", "role": "manager"}
    )
    link = f"/espace/invitation/{Invitation.objects.get().token}/"
    client.logout()
    assert "connectez-vous" in page(client.get(link))
    client.force_login(factories.user())
    assert client.get(link).status_code == 403
    client.force_login(colleague)
    client.post(link)
    assert Membership.objects.get(user=colleague, organisation=org).role == "manager"


def test_an_expired_invitation_is_refused(client, org, boss):
    invitation = Invitation.objects.create(
        organisation=org,
        email="tard@alpha.fr",
        invited_by=boss,
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    response = client.get(f"/espace/invitation/{invitation.token}/")
    assert response.status_code == 410
    assert "n'est plus valable" in page(response)


def test_inviting_a_member_twice_is_refused(client, org, boss):
    factories.member(org, email="membre@alpha.fr")
    client.force_login(boss)
    response = client.post(
        f"/espace/organismes/{org.pk}/invitations/",
        {"email": "membre@alpha.fr", "role": "member"},
        follow=True,
    )
    assert "fait déjà partie" in page(response)
    assert not Invitation.objects.exists()


def test_a_join_request_goes_to_the_managers(client, org, boss, mailoutbox):
    response = client.post(
        "/espace/inscription/rejoindre/",
        {
            "siret": org.siret,
            "first_name": "Paul",
            "last_name": "Nouveau",
            "job_title": "Chargé de scolarité",
            "email": "paul@alpha.fr",
            "phone": "0102030405",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
            "message": "Service de la scolarité",
        },
    )
    assert response.status_code == 200
    join = JoinRequest.objects.get()
    assert join.state == "awaiting_activation" and not join.user.is_active
    client.get(factories.link_in(mailoutbox[-1]))
    join.refresh_from_db()
    assert join.state == "pending"
    assert any(m.to == ["chef@alpha.fr"] and "Paul Nouveau" in m.body for m in mailoutbox)

    client.force_login(boss)
    assert "Paul Nouveau" in page(client.get(f"/espace/organismes/{org.pk}/"))
    client.post(f"/espace/organismes/{org.pk}/rattachements/{join.pk}/accepter/")
    join.refresh_from_db()
    assert join.state == "accepted"
    assert Membership.objects.get(user=join.user).role == "member"
    join.user.refresh_from_db()
    assert join.user.is_active and join.user.identifier in mailoutbox[-1].body


def test_a_manager_refuses_a_join_request_with_a_reason(client, org, boss, mailoutbox):
    applicant = factories.user(is_active=False)
    join = JoinRequest.objects.create(user=applicant, organisation=org, state="pending")
    client.force_login(boss)
    url = f"/espace/organismes/{org.pk}/rattachements/{join.pk}/refuser/"
    assert "Motif" in page(client.get(url))
    client.post(url, {"reason": "Inconnu du service."})
    join.refresh_from_db()
    assert join.state == "refused"
    assert "Inconnu du service." in mailoutbox[-1].body
    assert not Membership.objects.filter(user=applicant).exists()


def test_promote_and_the_last_manager_stays(client, org, boss):
    colleague = factories.member(org)
    membership = Membership.objects.get(user=colleague)
    client.force_login(boss)
    client.post(f"/espace/organismes/{org.pk}/membres/{membership.pk}/role/", {"role": "manager"})
    membership.refresh_from_db()
    assert membership.role == "manager"
    own = Membership.objects.get(user=boss)
    client.post(f"/espace/organismes/{org.pk}/membres/{own.pk}/role/", {"role": "member"})
    own.refresh_from_db()
    assert own.role == "member"
    # the colleague is now the only manager: cannot be demoted nor removed
    client.force_login(colleague)
    response = client.post(
        f"/espace/organismes/{org.pk}/membres/{membership.pk}/role/",
        {"role": "member"},
        follow=True,
    )
    assert "au moins un gestionnaire" in page(response)
    response = client.post(
        f"/espace/organismes/{org.pk}/membres/{membership.pk}/retirer/", follow=True
    )
    assert "au moins un gestionnaire" in page(response)
    membership.refresh_from_db()
    assert membership.role == "manager"


def test_removing_a_member_asks_for_confirmation(client, org, boss, mailoutbox):
    colleague = factories.member(org)
    membership = Membership.objects.get(user=colleague)
    client.force_login(boss)
    url = f"/espace/organismes/{org.pk}/membres/{membership.pk}/retirer/"
    assert "Oui, retirer" in page(client.get(url))
    assert Membership.objects.filter(pk=membership.pk).exists()
    client.post(url)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert mailoutbox[-1].to == [colleague.email]
    assert AuditEntry.objects.filter(action="membership.removed").exists()


def test_a_plain_member_cannot_manage(client, org, boss):
    colleague = factories.member(org)
    boss_membership = Membership.objects.get(user=boss)
    client.force_login(colleague)
    assert client.get(f"/espace/organismes/{org.pk}/").status_code == 200
    assert (
        client.post(
            f"/espace/organismes/{org.pk}/invitations/", {"email": "x@y.fr", "role": "member"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/espace/organismes/{org.pk}/membres/{boss_membership.pk}/role/", {"role": "member"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/espace/organismes/{org.pk}/membres/{boss_membership.pk}/retirer/"
        ).status_code
        == 404
    )
