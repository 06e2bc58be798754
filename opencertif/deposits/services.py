"""Deposit identifiers (accrochage): staff register them, organisations activate them.

Activating and revoking take the acting user's right to change the deposit rights
(`organisations.perms.can_change_deposit_rights`), checked here as well as by the pages:
a service called from elsewhere (a command, a future API) cannot skip it."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from opencertif.core import audit, mail
from opencertif.deposits.enums import AccountRole, Situation
from opencertif.deposits.models import (
    Delegation,
    DepositAccount,
    validate_id_client,
    validate_id_contract,
)
from opencertif.organisations import perms
from opencertif.organisations.models import Organisation


class IdentifierError(ValueError):
    """The identifiers given do not fit; the message says which and what to check."""


def _clean(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


@transaction.atomic
def register_identifiers(
    *,
    organisation: Organisation,
    role: str,
    id_client: str,
    id_contract: str = "",
    by,
    site_url: str | None = None,
) -> DepositAccount:
    """Staff register an organisation's idClient (and idContrat for a certifier) and mail
    them to its managers."""
    id_client, id_contract = _clean(id_client), _clean(id_contract)
    try:
        validate_id_client(id_client)
        if role == AccountRole.CERTIFIER:
            validate_id_contract(id_contract)
    except ValidationError as exc:
        raise IdentifierError(exc.messages[0]) from exc
    if role != AccountRole.CERTIFIER and id_contract:
        raise IdentifierError("Un déposant pour d'autres certificateurs n'a pas d'idContrat.")
    if DepositAccount.objects.filter(organisation=organisation, role=role).exists():
        raise IdentifierError(
            "Cet organisme a déjà des identifiants pour ce rôle ; modifiez-les plutôt que "
            "d'en créer d'autres."
        )
    try:
        with transaction.atomic():
            account = DepositAccount.objects.create(
                organisation=organisation,
                role=role,
                id_client=id_client,
                id_contract=id_contract,
                registered_by=by,
            )
    except IntegrityError as exc:
        raise IdentifierError(
            f"L'idClient {id_client} est déjà attribué à un autre organisme."
        ) from exc
    audit.record(
        actor=by,
        action="deposit_account.registered",
        obj=organisation,
        changes={"role": role, "id_client": id_client, "id_contract": id_contract},
    )
    notify_identifiers(account=account, by=by, site_url=site_url)
    return account


def notify_identifiers(*, account: DepositAccount, by, site_url: str | None = None) -> bool:
    """Mail the "identifiants d'inscription" to the organisation's managers, if it has any."""
    recipients = account.organisation.manager_emails()
    if not recipients:
        return False
    mail.send(
        to=recipients,
        template="deposit_identifiers",
        context={"account": account},
        site_url=site_url,
    )
    account.notified_at = timezone.now()
    account.save(update_fields=["notified_at"])
    audit.record(
        actor=by,
        action="deposit_account.notified",
        obj=account.organisation,
        changes={"id_client": account.id_client},
    )
    return True


def _own_account(organisation: Organisation, role: str, id_client: str) -> DepositAccount:
    account = DepositAccount.objects.filter(
        organisation=organisation, role=role, id_client=_clean(id_client)
    ).first()
    if account is None:
        label = "certificateur" if role == AccountRole.CERTIFIER else "déposant"
        raise IdentifierError(
            f"L'idClient {_clean(id_client) or '(vide)'} n'est pas enregistré comme idClient "
            f"{label} de votre organisme. Reprenez-le du courriel « identifiants "
            "d'inscription » ou contactez l'équipe de la plateforme."
        )
    return account


def _certifier_account(id_client: str, *, not_of: Organisation) -> DepositAccount:
    account = (
        DepositAccount.objects.filter(role=AccountRole.CERTIFIER, id_client=_clean(id_client))
        .select_related("organisation")
        .first()
    )
    if account is None:
        raise IdentifierError(
            f"Aucun certificateur n'est enregistré avec l'idClient {_clean(id_client)}. "
            "Demandez-le au certificateur pour lequel vous déposez."
        )
    if account.organisation_id == not_of.pk:
        raise IdentifierError("Un organisme ne se délègue pas à lui-même : c'est la situation 1.")
    return account


def _activate(account: DepositAccount, *, situation: str, by) -> None:
    if account.activated_at is None:
        account.activated_at, account.activated_by = timezone.now(), by
    account.situation = situation
    account.save(update_fields=["activated_at", "activated_by", "situation"])


@transaction.atomic
def activate(
    *,
    organisation: Organisation,
    situation: str,
    by,
    id_client: str = "",
    id_contract: str = "",
    depositor_id_client: str = "",
    certifier_id_clients: list[str] | None = None,
    site_url: str | None = None,
) -> list[Delegation]:
    """Activate the organisation's deposit rights in one of the three official situations.

    1. SELF: its certifier idClient + idContrat.
    2. CERTIFIER_AND_DEPOSITOR: the same, plus its depositor idClient and the idClient of
       each certifier that delegates to it.
    3. THIRD_PARTY: its depositor idClient and the idClient of the certifier it deposits for.

    Raises perms.NotFound when `by` may not change the organisation's deposit rights.
    """
    if not perms.can_change_deposit_rights(by, organisation):
        raise perms.NotFound("Organisme introuvable.")
    certifier_id_clients = [c for c in (certifier_id_clients or []) if _clean(c)]
    if situation in (Situation.SELF, Situation.CERTIFIER_AND_DEPOSITOR):
        certifier = _own_account(organisation, AccountRole.CERTIFIER, id_client)
        if certifier.id_contract != _clean(id_contract):
            raise IdentifierError(
                f"L'idContrat saisi ne correspond pas à l'idClient {certifier.id_client}."
            )
        _activate(certifier, situation=situation, by=by)
        audit.record(
            actor=by,
            action="deposit_account.activated",
            obj=organisation,
            changes={"id_client": certifier.id_client, "situation": situation},
        )
    if situation == Situation.SELF:
        return []
    if situation not in (Situation.CERTIFIER_AND_DEPOSITOR, Situation.THIRD_PARTY):
        raise IdentifierError("Situation inconnue.")
    if not certifier_id_clients:
        raise IdentifierError(
            "Indiquez l'idClient d'au moins un certificateur pour lequel vous déposez."
        )
    if situation == Situation.THIRD_PARTY and len(certifier_id_clients) > 1:
        raise IdentifierError(
            "Un tiers déposant active un certificateur à la fois : recommencez pour le suivant."
        )
    depositor = _own_account(organisation, AccountRole.DEPOSITOR, depositor_id_client)
    _activate(depositor, situation=situation, by=by)
    delegations = []
    for raw in certifier_id_clients:
        certifier = _certifier_account(raw, not_of=organisation)
        delegation = (
            Delegation.objects.active().filter(depositor=depositor, certifier=certifier).first()
        )
        if delegation is None:
            delegation = Delegation.objects.create(
                depositor=depositor, certifier=certifier, created_by=by
            )
            audit.record(
                actor=by,
                action="delegation.created",
                obj=organisation,
                changes={"depositor": depositor.id_client, "certifier": certifier.id_client},
            )
            mail.send(
                to=certifier.organisation.manager_emails(),
                template="delegation_created",
                context={"delegation": delegation},
                site_url=site_url,
            )
        delegations.append(delegation)
    return delegations


@transaction.atomic
def revoke_delegation(*, delegation: Delegation, by) -> None:
    """End a delegation: the depositor may no longer deposit for that certifier.

    Either side's managers may end it (`Delegation.objects.editable_by`); anybody else
    gets perms.NotFound."""
    if not Delegation.objects.editable_by(by).filter(pk=delegation.pk).exists():
        raise perms.NotFound("Délégation introuvable.")
    delegation.revoked_at, delegation.revoked_by = timezone.now(), by
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    for organisation in (delegation.depositor.organisation, delegation.certifier.organisation):
        audit.record(
            actor=by,
            action="delegation.revoked",
            obj=organisation,
            changes={
                "depositor": delegation.depositor.id_client,
                "certifier": delegation.certifier.id_client,
            },
        )


def may_deposit(*, organisation: Organisation, id_client: str, id_contract: str) -> bool:
    """May this organisation deposit for the certifier account (idClient, idContrat)?"""
    certifier = (
        DepositAccount.objects.active()
        .filter(
            role=AccountRole.CERTIFIER, id_client=_clean(id_client), id_contract=_clean(id_contract)
        )
        .first()
    )
    if certifier is None:
        return False
    if certifier.organisation_id == organisation.pk:
        return True
    return (
        Delegation.objects.active()
        .filter(
            certifier=certifier,
            depositor__organisation=organisation,
            depositor__activated_at__isnull=False,
        )
        .exists()
    )
