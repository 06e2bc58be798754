"""The rule of `organisations.perms`: rights per role, the querysets of every
organisation-owned model, the fetch that answers NotFound, and rights that follow the
current membership."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from opencertif.organisations import perms
from opencertif.organisations.enums import Role
from opencertif.organisations.models import (
    ApiToken,
    Document,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
)
from opencertif.organisations.perms import Right
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return factories.organisation("Université Alpha")


@pytest.fixture
def people(org):
    other = factories.organisation("Organisme Bêta")
    return {
        "manager": factories.manager(org),
        "member": factories.member(org),
        "reader": factories.member(org, Role.READER),
        "other_manager": factories.manager(other),
        "staff": factories.staff(),
    }


@pytest.fixture
def owned(org, people):
    """One row of every organisation-owned model, for `org`."""
    applicant = factories.user(is_active=False)
    return {
        Membership: Membership.objects.get(user=people["member"]),
        Invitation: Invitation.objects.create(
            organisation=org,
            email="invitee@alpha.fr",
            expires_at=timezone.now() + datetime.timedelta(days=3),
        ),
        JoinRequest: JoinRequest.objects.create(user=applicant, organisation=org, state="pending"),
        Document: Document.objects.create(
            kind="legal_proof",
            organisation=org,
            path="documents/a.pdf",
            original_name="a.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
        ),
        ApiToken: ApiToken.objects.create(
            organisation=org, name="ERP", prefix="oc_a", key_hash="a" * 64
        ),
    }


PREDICATES = {
    "can_see_organisation": {"manager", "member", "reader"},
    "can_change_organisation": {"manager"},
    "can_manage_members": {"manager"},
    "can_see_documents": {"manager", "staff"},
    "can_see_api_tokens": {"manager"},
    "can_change_api_tokens": {"manager"},
    "can_see_deposit_rights": {"manager", "member", "reader"},
    "can_change_deposit_rights": {"manager"},
    "can_see_deposits": {"manager", "member", "reader"},
    "can_deposit": {"manager", "member"},
    "can_see_passages": {"manager", "member", "reader"},
    "can_change_passages": {"manager", "member"},
    "can_delete_passages": {"manager", "member"},
    "can_bulk_delete_passages": {"manager"},
}


def predicate_name(right: Right) -> str:
    special = {Right.SEE: "can_see_organisation", Right.CHANGE: "can_change_organisation"}
    return special.get(right, f"can_{right.value}")


def test_every_right_has_its_predicate():
    assert {predicate_name(right) for right in Right} == set(PREDICATES)
    assert all(callable(getattr(perms, name)) for name in PREDICATES)


@pytest.mark.parametrize("predicate", sorted(PREDICATES))
def test_each_predicate_answers_for_each_role(org, people, predicate):
    check = getattr(perms, predicate)
    allowed = {who for who, user in people.items() if check(user, org)}
    assert allowed == PREDICATES[predicate]


def test_a_reader_can_change_nothing(org, people):
    reader = people["reader"]
    assert perms.rights_of(reader, org) == {
        Right.SEE,
        Right.SEE_DEPOSIT_RIGHTS,
        Right.SEE_DEPOSITS,
        Right.SEE_PASSAGES,
    }
    assert not any(
        getattr(perms, name)(reader, org) for name in PREDICATES if not name.startswith("can_see")
    )


def test_anonymous_and_inactive_people_hold_nothing(org, people):
    manager = people["manager"]
    manager.is_active = False
    manager.save()
    for user in (AnonymousUser(), manager):
        assert perms.rights_of(user, org) == frozenset()
        assert not Organisation.objects.visible_to(user).exists()
        with pytest.raises(perms.NotFound):
            perms.access(user, org.pk)


VISIBLE = {
    Organisation: {"manager", "member", "reader"},
    Membership: {"manager", "member", "reader"},
    Invitation: {"manager"},
    JoinRequest: {"manager"},
    Document: {"manager", "staff"},
    ApiToken: {"manager"},
}
EDITABLE = {
    Organisation: {"manager"},
    Membership: {"manager"},
    Invitation: {"manager"},
    JoinRequest: {"manager"},
    Document: set(),  # evidence of the account request: nobody changes it
    ApiToken: {"manager"},
}


@pytest.mark.parametrize("model", list(VISIBLE), ids=lambda m: m.__name__)
def test_visible_to_and_editable_by_on_every_owned_model(org, people, owned, model):
    row = org if model is Organisation else owned[model]
    seen = {who for who, user in people.items() if model.objects.visible_to(user).filter(pk=row.pk)}
    changed = {
        who for who, user in people.items() if model.objects.editable_by(user).filter(pk=row.pk)
    }
    assert seen == VISIBLE[model]
    assert changed == EDITABLE[model]


def test_querysets_never_reach_another_organisations_rows(org, people, owned):
    other_manager = people["other_manager"]
    for model in VISIBLE:
        rows = model.objects.visible_to(other_manager)
        if model is Organisation:
            assert list(rows) == [Organisation.objects.get(name="Organisme Bêta")]
        elif model is Membership:
            assert {m.user for m in rows} == {other_manager}
        else:
            assert not rows.exists(), model


def test_staff_see_the_documents_of_requests_still_examined(people):
    loose = Document.objects.create(
        kind="legal_proof",
        path="documents/r.pdf",
        original_name="r.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    assert Document.objects.visible_to(people["staff"]).filter(pk=loose.pk).exists()
    assert not Document.objects.visible_to(people["manager"]).filter(pk=loose.pk).exists()


def test_access_answers_not_found_alike_for_a_missing_and_a_foreign_organisation(org, people):
    assert issubclass(perms.NotFound, Http404)
    other = people["other_manager"]
    with pytest.raises(perms.NotFound):
        perms.access(other, org.pk)
    with pytest.raises(perms.NotFound):
        perms.access(other, 999_999)
    with pytest.raises(perms.NotFound):
        perms.access(people["member"], org.pk, Right.MANAGE_MEMBERS)
    found = perms.access(people["reader"], org.pk)
    assert found.organisation == org and found.role == Role.READER
    assert found.can["see"] and not found.can["change_passages"]
    # Staff reach a document's organisation without belonging to it, and nothing else.
    assert perms.access(people["staff"], org.pk, Right.SEE_DOCUMENTS).organisation == org
    with pytest.raises(perms.NotFound):
        perms.access(people["staff"], org.pk)
    with pytest.raises(perms.NotFound):
        perms.access(people["staff"], 999_999, Right.SEE_DOCUMENTS)


def test_fetch_reaches_only_through_the_narrowed_queryset(org, people, owned):
    token = owned[ApiToken]
    assert perms.fetch(ApiToken.objects.visible_to(people["manager"]), pk=token.pk) == token
    with pytest.raises(perms.NotFound):
        perms.fetch(ApiToken.objects.visible_to(people["member"]), pk=token.pk)


def test_rights_follow_the_current_membership(org, people):
    member = people["member"]
    assert perms.can_see_organisation(member, org)
    Membership.objects.filter(user=member).update(role=Role.READER)
    assert not perms.can_change_passages(member, org)
    assert perms.can_see_passages(member, org)
    Membership.objects.filter(user=member).delete()
    assert not perms.can_see_organisation(member, org)
    assert not Organisation.objects.visible_to(member).exists()


def test_each_deposit_and_passage_right_has_its_own_set(org, people):
    def holders(*rights):
        return {
            who for who, user in people.items() if org in Organisation.objects.where(user, *rights)
        }

    assert holders(Right.SEE_PASSAGES) == holders(Right.SEE_DEPOSITS)
    assert holders(Right.SEE_PASSAGES) == {"manager", "member", "reader"}
    assert holders(Right.DEPOSIT) == {"manager", "member"}
    assert holders(Right.CHANGE_PASSAGES) == holders(Right.DELETE_PASSAGES)
    assert holders(Right.CHANGE_PASSAGES) == {"manager", "member"}
    assert holders(Right.BULK_DELETE_PASSAGES) == {"manager"}


def test_an_api_token_holds_the_token_rights_on_its_organisation_only(org, people):
    token = ApiToken.objects.create(organisation=org, name="ERP", prefix="oc_t", key_hash="t" * 64)
    other = Organisation.objects.get(name="Organisme Bêta")
    for right in Right:
        assert perms.has_right(token, org, right) == (right in perms.TOKEN_RIGHTS), right
        assert not perms.has_right(token, other, right)
        expected = {org} if right in perms.TOKEN_RIGHTS else set()
        assert set(Organisation.objects.where(token, right)) == expected, right
    assert perms.ROLE_RIGHTS[Role.MANAGER] > perms.TOKEN_RIGHTS  # never more than who made it
    # Never the account, its members, its tokens or its deposit rights.
    assert not perms.can_change_api_tokens(token, org)
    assert not perms.can_manage_members(token, org)
    with pytest.raises(perms.NotFound):
        perms.access(token, org.pk, Right.SEE_PASSAGES)
    token.revoked_at = timezone.now()
    assert not perms.can_see_passages(token, org)
    assert not Organisation.objects.where(token, Right.SEE_PASSAGES).exists()


def test_roles_with_reads_the_table():
    assert perms.roles_with(Right.SEE) == (Role.MANAGER, Role.MEMBER, Role.READER)
    assert perms.roles_with(Right.DEPOSIT, Right.BULK_DELETE_PASSAGES) == (Role.MANAGER,)
    with pytest.raises(ValueError):
        perms.organisations_filter(factories.user())
