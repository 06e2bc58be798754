import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from opencertif.deposits.enums import AccountRole
from opencertif.organisations.models import Organisation

ID_CLIENT_RE = re.compile(r"^[A-Z0-9]{8}$")
ID_CONTRACT_RE = re.compile(r"^[A-Z0-9]{1,20}$")


def validate_id_client(value: str) -> None:
    if not ID_CLIENT_RE.match(value or ""):
        raise ValidationError(
            "L'idClient compte exactement 8 caractères, lettres majuscules et chiffres "
            "(ex. : DEMO0001)."
        )


def validate_id_contract(value: str) -> None:
    if not ID_CONTRACT_RE.match(value or ""):
        raise ValidationError(
            "L'idContrat compte de 1 à 20 caractères, lettres majuscules et chiffres "
            "(ex. : MCFCER000001)."
        )


class DepositAccountQuerySet(models.QuerySet):
    def active(self):
        return self.filter(activated_at__isnull=False)

    def certifiers(self):
        return self.filter(role=AccountRole.CERTIFIER)


class DepositAccount(models.Model):
    """Deposit identifiers ("identifiants d'inscription") registered by platform staff for
    an organisation, in one role; usable once the organisation has activated them."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="deposit_accounts"
    )
    role = models.CharField("rôle", max_length=10, choices=AccountRole.choices)
    id_client = models.CharField(
        "idClient", max_length=8, unique=True, validators=[validate_id_client]
    )
    id_contract = models.CharField(
        "idContrat", max_length=20, blank=True, validators=[validate_id_contract]
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField("identifiants envoyés le", null=True, blank=True)
    activated_at = models.DateTimeField("activé le", null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    situation = models.CharField("situation", max_length=12, blank=True)

    objects = DepositAccountQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "role"]
        verbose_name = "identifiant de dépôt"
        verbose_name_plural = "identifiants de dépôt"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "role"], name="one_account_per_role"),
            models.CheckConstraint(
                condition=~Q(role=AccountRole.CERTIFIER) | ~Q(id_contract=""),
                name="certifier_has_contract",
            ),
        ]

    def __str__(self) -> str:
        if self.id_contract:
            return f"{self.id_client} / {self.id_contract} ({self.get_role_display()})"
        return f"{self.id_client} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.activated_at is not None


class DelegationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class Delegation(models.Model):
    """A certifier's deposit account that a depositor account may deposit for."""

    depositor = models.ForeignKey(
        DepositAccount, on_delete=models.CASCADE, related_name="delegations_received"
    )
    certifier = models.ForeignKey(
        DepositAccount, on_delete=models.CASCADE, related_name="delegations_given"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "délégation de dépôt"
        verbose_name_plural = "délégations de dépôt"
        constraints = [
            models.UniqueConstraint(
                fields=["depositor", "certifier"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_delegation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.depositor.id_client} → {self.certifier.id_client}"
