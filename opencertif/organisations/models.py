import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from opencertif.core.text import fold
from opencertif.core.workflow import Transition, TransitionLog, WorkflowMixin
from opencertif.organisations import perms
from opencertif.organisations.enums import (
    ALWAYS_NEED_MANDATE,
    LEGAL_PROOF_LABELS,
    AccountRequestState,
    AccountRequestStep,
    DocumentKind,
    JoinRequestState,
    JoinRequestStep,
    OrganisationKind,
    Role,
)


class OrganisationQuerySet(models.QuerySet):
    def certifiers(self):
        return self.filter(certifier_links__isnull=False).distinct()

    def with_account(self):
        """Organisations with at least one member: they have an account on the platform."""
        return self.filter(memberships__isnull=False).distinct()

    def where(self, user, *rights):
        """The organisations on which `user` holds every one of `rights` (perms)."""
        return self.filter(perms.organisations_filter(user, *rights))

    def visible_to(self, user):
        return self.where(user, perms.Right.SEE)

    def editable_by(self, user):
        return self.where(user, perms.Right.CHANGE)


class Organisation(models.Model):
    """A legal body: certifier, partner, depositor. Shared by every space of the platform.

    The registry export lacks the SIRET for about a third of its certifiers, so it is
    optional; organisations without one are matched by their folded name.
    """

    siret = models.CharField("SIRET", max_length=14, null=True, blank=True)
    name = models.CharField("raison sociale", max_length=255)
    commercial_name = models.CharField("nom commercial", max_length=255, blank=True)
    name_key = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(
        "type d'organisme", max_length=12, choices=OrganisationKind.choices, blank=True
    )
    legal_form = models.CharField("forme juridique", max_length=100, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "organisme"
        verbose_name_plural = "organismes"
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=Q(siret__isnull=False), name="organisation_unique_siret"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("public:certifier", args=[self.pk])

    @property
    def display_name(self) -> str:
        """Legal name, with the commercial name beside it when it differs."""
        if self.commercial_name and fold(self.commercial_name) != fold(self.name):
            return f"{self.name} ({self.commercial_name})"
        return self.name

    @staticmethod
    def key_for(name: str) -> str:
        return fold(name)[:255]

    def manager_emails(self) -> list[str]:
        return list(
            self.memberships.filter(role=Role.MANAGER, user__is_active=True).values_list(
                "user__email", flat=True
            )
        )


class MembershipQuerySet(models.QuerySet):
    def managers(self):
        return self.filter(role=Role.MANAGER)

    def visible_to(self, user):
        """Who belongs to the organisations the user sees."""
        return self.filter(
            perms.organisations_filter(user, perms.Right.SEE, through="organisation__")
        )

    def editable_by(self, user):
        return self.filter(
            perms.organisations_filter(user, perms.Right.MANAGE_MEMBERS, through="organisation__")
        )


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "user__last_name", "user__first_name"]
        verbose_name = "membre"
        verbose_name_plural = "membres"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER


def _resume_token() -> str:
    return secrets.token_urlsafe(24)


class AccountRequest(WorkflowMixin):
    """A request to create an organisation's account: filled step by step, then checked by
    staff. Its requester becomes the organisation's first manager when it is accepted."""

    TRANSITIONS = {
        AccountRequestStep.SUBMIT_REQUESTER: Transition(
            (AccountRequestState.DRAFT, AccountRequestState.AWAITING_ACTIVATION),
            AccountRequestState.AWAITING_ACTIVATION,
        ),
        AccountRequestStep.CONFIRM_EMAIL: Transition(
            (AccountRequestState.AWAITING_ACTIVATION,), AccountRequestState.SUBMITTED
        ),
        AccountRequestStep.ACCEPT: Transition(
            (AccountRequestState.SUBMITTED,), AccountRequestState.ACCEPTED
        ),
        AccountRequestStep.REJECT: Transition(
            (AccountRequestState.SUBMITTED,), AccountRequestState.REJECTED
        ),
    }

    state = models.CharField(
        "état",
        max_length=20,
        choices=AccountRequestState.choices,
        default=AccountRequestState.DRAFT,
    )
    resume_token = models.CharField(max_length=40, default=_resume_token, unique=True)
    step = models.PositiveSmallIntegerField("dernière étape remplie", default=0)
    kind = models.CharField(
        "type d'organisme", max_length=12, choices=OrganisationKind.choices, blank=True
    )
    has_siret = models.BooleanField("possède un SIRET", null=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    name = models.CharField("raison sociale", max_length=255, blank=True)
    commercial_name = models.CharField("nom commercial", max_length=255, blank=True)
    legal_form = models.CharField("forme juridique", max_length=100, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    requester_named_on_proof = models.BooleanField(
        "le demandeur figure sur le justificatif", null=True
    )
    mandate_date = models.DateField("date de la délégation de mandat", null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account_requests",
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account_requests",
    )
    decision_reason = models.TextField("motif", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "demande de création de compte"
        verbose_name_plural = "demandes de création de compte"

    def __str__(self) -> str:
        return f"Demande n° {self.pk} – {self.name or 'organisme à préciser'}"

    @property
    def legal_proof_label(self) -> str:
        return LEGAL_PROOF_LABELS.get(self.kind, LEGAL_PROOF_LABELS[OrganisationKind.OTHER])

    @property
    def needs_mandate(self) -> bool:
        return self.kind in ALWAYS_NEED_MANDATE or self.requester_named_on_proof is False

    def documents_of(self, kind: str):
        return self.documents.filter(kind=kind)

    def submit_requester(self, *, user, step: int, by=None) -> None:
        """Step 4 of the sign-up: the requester's (inactive) account is named."""
        self._transition(AccountRequestStep.SUBMIT_REQUESTER, by=by, user=user, step=step)

    def confirm_email(self, *, by=None) -> None:
        self._transition(AccountRequestStep.CONFIRM_EMAIL, by=by, submitted_at=timezone.now())

    def accept(self, *, by, organisation: Organisation) -> None:
        self._transition(
            AccountRequestStep.ACCEPT,
            by=by,
            decided_at=timezone.now(),
            decided_by=by,
            organisation=organisation,
        )

    def reject(self, *, by, reason: str) -> None:
        self._transition(
            AccountRequestStep.REJECT,
            by=by,
            note=reason,
            decided_at=timezone.now(),
            decided_by=by,
            decision_reason=reason,
        )


class AccountRequestTransition(TransitionLog):
    subject_field = "account_request"

    account_request = models.ForeignKey(
        AccountRequest, on_delete=models.CASCADE, related_name="transitions"
    )

    class Meta(TransitionLog.Meta):
        verbose_name = "transition d'une demande de création de compte"
        verbose_name_plural = "transitions des demandes de création de compte"


class JoinRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Join requests name their author: for the managers of the organisation only."""
        return self.filter(
            perms.organisations_filter(user, perms.Right.MANAGE_MEMBERS, through="organisation__")
        )

    def editable_by(self, user):
        return self.visible_to(user)


class JoinRequest(WorkflowMixin):
    """A person asking to join an organisation that already has an account."""

    TRANSITIONS = {
        JoinRequestStep.CONFIRM_EMAIL: Transition(
            (JoinRequestState.AWAITING_ACTIVATION,), JoinRequestState.PENDING
        ),
        JoinRequestStep.ACCEPT: Transition((JoinRequestState.PENDING,), JoinRequestState.ACCEPTED),
        JoinRequestStep.REFUSE: Transition((JoinRequestState.PENDING,), JoinRequestState.REFUSED),
    }

    state = models.CharField(
        "état",
        max_length=20,
        choices=JoinRequestState.choices,
        default=JoinRequestState.AWAITING_ACTIVATION,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField("message aux gestionnaires", blank=True)
    decision_reason = models.TextField("motif", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "demande de rattachement"
        verbose_name_plural = "demandes de rattachement"

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"

    def confirm_email(self, *, by=None) -> None:
        self._transition(JoinRequestStep.CONFIRM_EMAIL, by=by)

    def accept(self, *, by) -> None:
        self._transition(JoinRequestStep.ACCEPT, by=by, decided_at=timezone.now(), decided_by=by)

    def refuse(self, *, by, reason: str) -> None:
        self._transition(
            JoinRequestStep.REFUSE,
            by=by,
            note=reason,
            decided_at=timezone.now(),
            decided_by=by,
            decision_reason=reason,
        )


class JoinRequestTransition(TransitionLog):
    subject_field = "join_request"

    join_request = models.ForeignKey(
        JoinRequest, on_delete=models.CASCADE, related_name="transitions"
    )

    class Meta(TransitionLog.Meta):
        verbose_name = "transition d'une demande de rattachement"
        verbose_name_plural = "transitions des demandes de rattachement"


class InvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(
            accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now()
        )

    def visible_to(self, user):
        """Invitations name the invitee: for the managers of the organisation only."""
        return self.filter(
            perms.organisations_filter(user, perms.Right.MANAGE_MEMBERS, through="organisation__")
        )

    def editable_by(self, user):
        return self.visible_to(user)


class Invitation(models.Model):
    """A manager's invitation to a colleague, by email, valid for a few days."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("adresse électronique")
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.MEMBER)
    token = models.CharField(max_length=48, unique=True, default=_resume_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "invitation"
        verbose_name_plural = "invitations"

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.cancelled_at is None
            and self.expires_at > timezone.now()
        )


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The organisation's managers, and staff (who also see those of requests still
        being examined, which belong to no organisation yet)."""
        return self.filter(
            perms.organisations_filter(user, perms.Right.SEE_DOCUMENTS, through="organisation__")
        )

    def editable_by(self, user):
        # A kept document is evidence of the request that brought it: nobody changes it.
        return self.none()


class Document(models.Model):
    """A supporting document of an account request, kept with the organisation afterwards.

    Stored outside the web root; served only to the organisation's managers and to staff.
    """

    kind = models.CharField("type", max_length=12, choices=DocumentKind.choices)
    account_request = models.ForeignKey(
        AccountRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    path = models.CharField(max_length=255, editable=False)
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = "pièce justificative"
        verbose_name_plural = "pièces justificatives"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.original_name}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user):
        return self.filter(
            perms.organisations_filter(user, perms.Right.SEE_API_TOKENS, through="organisation__")
        )

    def editable_by(self, user):
        return self.filter(
            perms.organisations_filter(
                user, perms.Right.CHANGE_API_TOKENS, through="organisation__"
            )
        )


class ApiToken(models.Model):
    """A secret that lets an organisation's software use the API (deposits by API).

    Only a SHA-256 of the secret is stored; the secret is shown once, at creation.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("nom", max_length=100)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
