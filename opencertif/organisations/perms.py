"""Who may do what on an organisation. Deny by default."""

from opencertif.accounts.perms import is_platform_staff
from opencertif.organisations.enums import Role
from opencertif.organisations.models import Membership


def membership(user, organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def is_member(user, organisation) -> bool:
    return membership(user, organisation) is not None


def is_manager(user, organisation) -> bool:
    found = membership(user, organisation)
    return found is not None and found.role == Role.MANAGER


def can_see_documents(user, organisation) -> bool:
    return is_manager(user, organisation) or is_platform_staff(user)
