"""Staff roles. Platform staff work in /instruction/; each role is a group."""

ACCOUNT_VALIDATION = "Validation des comptes"
DEPOSIT_IDENTIFIERS = "Identifiants de dépôt"
AUDIT_LOG_READING = "Lecture du journal d'audit"


def has_staff_role(user, role: str) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=role).exists()


def can_validate_accounts(user) -> bool:
    return has_staff_role(user, ACCOUNT_VALIDATION)


def can_manage_deposit_identifiers(user) -> bool:
    return has_staff_role(user, DEPOSIT_IDENTIFIERS)


def can_read_audit_log(user) -> bool:
    """The audit log names who did what: a role of its own, every reading itself audited."""
    return has_staff_role(user, AUDIT_LOG_READING)


def is_platform_staff(user) -> bool:
    return can_validate_accounts(user) or can_manage_deposit_identifiers(user)
