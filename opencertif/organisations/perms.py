"""Who may do what in an organisation's space: the one place where the rule is written.

Each role of a membership holds a set of rights (`ROLE_RIGHTS`); seeing, changing and
deleting are distinct rights. Platform staff hold `STAFF_RIGHTS` on every organisation.
Rights follow the person's *current* membership, read from the database at every check
(never kept in the session): a member who is removed, or whose role changes, loses the
rights at the next request.

Three ways in, all built on the same table:
- predicates, `can_<action>(user, organisation)`, for a page or an API route deciding what
  to show or allow;
- querysets, `Model.objects.visible_to(user)` / `editable_by(user)` on every
  organisation-owned model (they call `organisations_filter` below);
- fetches, `access(user, organisation_id, right)` and `fetch(queryset, **lookup)`, which
  raise `NotFound` when the object does not exist *or* is not the user's: one answer for
  both, so that nobody learns what exists elsewhere.

An organisation's API token is an actor too (`TOKEN_RIGHTS`): it holds the deposit and
passage rights on its own organisation, the rights its managers (who create it) hold on
those pages, and nothing else; a revoked token holds nothing. The predicates and querysets
take a user or a token alike, so that the web and the API ask the same questions.

Deny by default: an anonymous or inactive user, a role not in the table or a right not
listed holds nothing.
"""

import enum
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.http import Http404

from opencertif.accounts.perms import is_platform_staff
from opencertif.organisations.enums import Role


class NotFound(Http404):
    """The object does not exist or is not the user's.

    A subclass of Django's Http404 on purpose: the web and the API (django-ninja) already
    answer 404 for it, with no handler of their own to forget; code outside a request (a
    command, a task) catches it by this name."""


class Right(enum.StrEnum):
    """What a person may do in an organisation's space (never stored: the roles are)."""

    SEE = "see"  # the organisation's pages: members, deposit rights, compliance
    CHANGE = "change"  # the organisation's account itself
    MANAGE_MEMBERS = "manage_members"  # invite, roles, removals, join requests
    SEE_DOCUMENTS = "see_documents"  # the supporting documents of the account request
    SEE_API_TOKENS = "see_api_tokens"
    CHANGE_API_TOKENS = "change_api_tokens"  # create, revoke
    SEE_DEPOSIT_RIGHTS = "see_deposit_rights"  # identifiers and delegations
    CHANGE_DEPOSIT_RIGHTS = "change_deposit_rights"  # activate, revoke a delegation
    SEE_DEPOSITS = "see_deposits"  # deposits, their reports, spreadsheet conversions
    DEPOSIT = "deposit"  # file, spreadsheet, form; run a deposit again
    SEE_PASSAGES = "see_passages"  # list, page, export, history
    CHANGE_PASSAGES = "change_passages"  # declare, modify, restore
    DELETE_PASSAGES = "delete_passages"  # one passage at a time
    BULK_DELETE_PASSAGES = "bulk_delete_passages"


_READ = frozenset(
    {
        Right.SEE,
        Right.SEE_DEPOSIT_RIGHTS,
        Right.SEE_DEPOSITS,
        Right.SEE_PASSAGES,
    }
)

ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    Role.MANAGER: frozenset(Right),
    Role.MEMBER: _READ | {Right.DEPOSIT, Right.CHANGE_PASSAGES, Right.DELETE_PASSAGES},
    Role.READER: _READ,
}

# Staff check the account requests' documents of any organisation; nothing else here.
STAFF_RIGHTS = frozenset({Right.SEE_DOCUMENTS})

# What an organisation's software does with its token: what the API offers (deposit, read
# the reports, read, delete and restore passages) and the web's other passage writes, as
# the managers who created it would. Never the account, the members, the tokens or the
# deposit rights: a leaked token must not be able to keep itself alive or widen itself.
TOKEN_RIGHTS = frozenset(
    {
        Right.SEE_DEPOSITS,
        Right.DEPOSIT,
        Right.SEE_PASSAGES,
        Right.CHANGE_PASSAGES,
        Right.DELETE_PASSAGES,
        Right.BULK_DELETE_PASSAGES,
    }
)


def _is_token(actor) -> bool:
    # By name: the models import this module for their querysets.
    return isinstance(actor, apps.get_model("organisations", "ApiToken"))


def _live_token(actor) -> bool:
    return _is_token(actor) and actor.revoked_at is None


def _signed_in(user) -> bool:
    if _is_token(user):
        return False  # a token holds TOKEN_RIGHTS on its organisation, handled apart
    return bool(user is not None and user.is_authenticated and user.is_active)


def roles_with(*rights: Right) -> tuple[str, ...]:
    """The roles that hold every one of `rights`."""
    return tuple(role for role, held in ROLE_RIGHTS.items() if held.issuperset(rights))


def organisations_filter(user, *rights: Right, through: str = "") -> Q:
    """A filter on a queryset whose rows belong to an organisation (reached by `through`,
    e.g. "organisation__"; "" for Organisation itself): the rows on whose organisation
    `user` holds every one of `rights`, by their current membership, or as staff."""
    if not rights:
        raise ValueError("name at least one right")
    if _is_token(user):
        if _live_token(user) and set(rights) <= TOKEN_RIGHTS:
            return Q(**{f"{through}pk": user.organisation_id})
        return Q(pk__in=[])
    if not _signed_in(user):
        return Q(pk__in=[])
    if set(rights) <= STAFF_RIGHTS and is_platform_staff(user):
        return Q()
    roles = roles_with(*rights)
    if not roles:
        return Q(pk__in=[])
    return Q(**{f"{through}memberships__user": user, f"{through}memberships__role__in": roles})


def role_of(user, organisation) -> str | None:
    """The user's current role in the organisation (None when not a member)."""
    if not _signed_in(user):
        return None
    return organisation.memberships.filter(user=user).values_list("role", flat=True).first()


def _rights(user, role: str | None) -> frozenset[Right]:
    held = ROLE_RIGHTS.get(role, frozenset())
    if is_platform_staff(user):
        held |= STAFF_RIGHTS
    return held


def rights_of(user, organisation) -> frozenset[Right]:
    """Every right the user (or API token) holds on the organisation now."""
    if _is_token(user):
        own = _live_token(user) and user.organisation_id == organisation.pk
        return TOKEN_RIGHTS if own else frozenset()
    if not _signed_in(user):
        return frozenset()
    return _rights(user, role_of(user, organisation))


def has_right(user, organisation, right: Right) -> bool:
    return right in rights_of(user, organisation)


def can_see_organisation(user, organisation) -> bool:
    return has_right(user, organisation, Right.SEE)


def can_change_organisation(user, organisation) -> bool:
    return has_right(user, organisation, Right.CHANGE)


def can_manage_members(user, organisation) -> bool:
    return has_right(user, organisation, Right.MANAGE_MEMBERS)


def can_see_documents(user, organisation) -> bool:
    return has_right(user, organisation, Right.SEE_DOCUMENTS)


def can_see_api_tokens(user, organisation) -> bool:
    return has_right(user, organisation, Right.SEE_API_TOKENS)


def can_change_api_tokens(user, organisation) -> bool:
    return has_right(user, organisation, Right.CHANGE_API_TOKENS)


def can_see_deposit_rights(user, organisation) -> bool:
    return has_right(user, organisation, Right.SEE_DEPOSIT_RIGHTS)


def can_change_deposit_rights(user, organisation) -> bool:
    return has_right(user, organisation, Right.CHANGE_DEPOSIT_RIGHTS)


def can_see_deposits(user, organisation) -> bool:
    return has_right(user, organisation, Right.SEE_DEPOSITS)


def can_deposit(user, organisation) -> bool:
    return has_right(user, organisation, Right.DEPOSIT)


def can_see_passages(user, organisation) -> bool:
    return has_right(user, organisation, Right.SEE_PASSAGES)


def can_change_passages(user, organisation) -> bool:
    return has_right(user, organisation, Right.CHANGE_PASSAGES)


def can_delete_passages(user, organisation) -> bool:
    return has_right(user, organisation, Right.DELETE_PASSAGES)


def can_bulk_delete_passages(user, organisation) -> bool:
    return has_right(user, organisation, Right.BULK_DELETE_PASSAGES)


@dataclass(frozen=True)
class Access:
    """An organisation as the user reaches it: their current role and rights.

    Templates read `access.can.<right>` (`{% if access.can.manage_members %}`)."""

    organisation: Any
    role: str | None
    rights: frozenset[Right]

    def has(self, right: Right) -> bool:
        return right in self.rights

    @property
    def can(self) -> dict[str, bool]:
        return {right.value: right in self.rights for right in Right}

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""


def access(user, organisation_id: int, right: Right = Right.SEE) -> Access:
    """The organisation `organisation_id` with the user's rights on it, if they hold
    `right` there; NotFound otherwise (whether it exists or not)."""
    if not _signed_in(user):
        raise NotFound("Organisme introuvable.")
    # By name: the models import this module for their querysets.
    organisation_model = apps.get_model("organisations", "Organisation")
    membership_model = apps.get_model("organisations", "Membership")
    membership = (
        membership_model.objects.select_related("organisation")
        .filter(user=user, organisation_id=organisation_id)
        .first()
    )
    if membership is not None:
        organisation, role = membership.organisation, membership.role
    else:
        organisation, role = None, None
    rights = _rights(user, role)
    if right not in rights:
        raise NotFound("Organisme introuvable.")
    if organisation is None:
        # Staff without a membership: their rights do not depend on the organisation.
        organisation = organisation_model.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise NotFound("Organisme introuvable.")
    return Access(organisation=organisation, role=role, rights=rights)


def fetch(queryset, message: str = "Introuvable.", **lookup):
    """The one row of `queryset` — already narrowed by `visible_to` / `editable_by`, or
    reached through an organisation given by `access` — matching `lookup`, or NotFound."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise NotFound(message)
    return found
