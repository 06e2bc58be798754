"""The holder's passport: who the holder is in the reference population, what they declare,
their CVs, the signed documents issued to them, share links and their requests to
certifiers. Guaranteed data is never copied here: it is read from the passages."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from opencertif.core.workflow import Transition, TransitionLog, WorkflowMixin
from opencertif.organisations import perms
from opencertif.passports.enums import (
    MATCH_EXPLANATIONS,
    CorrectedField,
    DocumentKind,
    ExperienceKind,
    MatchOutcome,
    RequestKind,
    RequestState,
    RequestStep,
)

# The certifier has three months to answer a holder's request.
ANSWER_DELAY_DAYS = 92


class Holder(models.Model):
    """A certification holder's account: the user who signs in and the person of the
    reference population their whole identity designates (none when it designates nobody
    or several people: their passport stays empty)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="holder"
    )
    # The identity provider's subject identifier ("sub"), stable per provider.
    subject = models.CharField(max_length=255, unique=True, null=True, blank=True)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holders",
        verbose_name="personne",
    )
    match_outcome = models.CharField(
        "résultat de l'identification", max_length=12, choices=MatchOutcome.choices
    )
    matched_at = models.DateTimeField("identifié le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "titulaire"
        verbose_name_plural = "titulaires"

    def __str__(self) -> str:
        return str(self.user)

    @property
    def match_explanation(self) -> str:
        """Why the passport is empty, in French (empty when the identity is recognised)."""
        return MATCH_EXPLANATIONS.get(self.match_outcome, "")


class Experience(models.Model):
    """A declarative entry of « Mon parcours »: written by the holder, never guaranteed."""

    holder = models.ForeignKey(Holder, on_delete=models.CASCADE, related_name="experiences")
    kind = models.CharField("type", max_length=12, choices=ExperienceKind.choices)
    title = models.CharField("intitulé", max_length=200)
    organisation = models.CharField("employeur ou organisme", max_length=200, blank=True)
    place = models.CharField("lieu", max_length=120, blank=True)
    start_date = models.DateField("début")
    end_date = models.DateField("fin", null=True, blank=True)
    description = models.TextField("description", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "entrée déclarative"
        verbose_name_plural = "entrées déclaratives"

    def __str__(self) -> str:
        return self.title


class Cv(models.Model):
    """A CV: a title, a summary and a selection of guaranteed passages and declarative
    entries of its holder."""

    holder = models.ForeignKey(Holder, on_delete=models.CASCADE, related_name="cvs")
    title = models.CharField("titre", max_length=120)
    summary = models.TextField("résumé", blank=True)
    passages = models.ManyToManyField(
        "deposits.Passage", blank=True, related_name="+", verbose_name="certifications"
    )
    experiences = models.ManyToManyField(
        Experience, blank=True, related_name="cvs", verbose_name="parcours"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = "CV"
        verbose_name_plural = "CV"

    def __str__(self) -> str:
        return self.title


class SignedDocument(models.Model):
    """A document the platform signed (a CV's PDF, a credential): what it stated when it
    was issued, so that its verification can compare each entry with today's data. The id
    is public: it is printed in the QR code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    holder = models.ForeignKey(
        Holder, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    cv = models.ForeignKey(
        Cv, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    issued_at = models.DateTimeField("émis le", default=timezone.now)
    # Hex SHA-256 of the signed file as issued (empty for a credential).
    sha256 = models.CharField(max_length=64, blank=True)
    title = models.CharField("titre", max_length=200, blank=True)
    holder_name = models.CharField("titulaire", max_length=200, blank=True)
    # [{"kind": "guaranteed", "passage": id, "digest": content_hash, "label": …, …},
    #  {"kind": "declarative", "label": …, …}]
    entries = models.JSONField(default=list)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = "document signé"
        verbose_name_plural = "documents signés"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id}"


class ShareLink(models.Model):
    """A link to a CV's online view: expires, may be revoked, may hide some fields. Views
    are counted, never who viewed."""

    cv = models.ForeignKey(Cv, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    hidden_fields = models.JSONField("champs masqués", default=list, blank=True)
    views = models.PositiveIntegerField("consultations", default=0)
    last_viewed_at = models.DateTimeField("dernière consultation", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "lien de partage"
        verbose_name_plural = "liens de partage"

    def __str__(self) -> str:
        return f"{self.cv} → {self.expires_at:%d/%m/%Y}"

    def is_active(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class CorrectionRequestQuerySet(models.QuerySet):
    def of_organisations_for(self, user, right):
        """Requests addressed to an organisation on which the user holds `right` (the
        certifier space: staff reach none here, whatever their role)."""
        return self.filter(perms.organisations_filter(user, right, through="organisation__"))

    def visible_to(self, user):
        """Requests addressed to an organisation whose passages the user may see (staff:
        all, including those addressed to the platform)."""
        if perms.is_platform_staff(user):
            return self.all()
        return self.of_organisations_for(user, perms.Right.SEE_PASSAGES)

    def editable_by(self, user):
        """Requests the user may answer: those of organisations whose passages they may
        change; staff answer those addressed to the platform (never a certifier's: the
        certifier corrects its own passages)."""
        condition = perms.organisations_filter(
            user, perms.Right.CHANGE_PASSAGES, through="organisation__"
        )
        if perms.is_platform_staff(user):
            condition |= models.Q(organisation__isnull=True)
        return self.filter(condition)

    def addressed_to_platform(self):
        """Requests no certifier could receive: the platform's staff answer them."""
        return self.filter(organisation__isnull=True)

    def open(self):
        return self.filter(state=RequestState.OPEN)

    def answered(self):
        return self.exclude(state=RequestState.OPEN)

    def overdue(self, *, today=None):
        today = today or timezone.localdate()
        return self.filter(state=RequestState.OPEN, due_on__lt=today)


class CorrectionRequest(WorkflowMixin):
    """A holder asks a certifier to correct a guaranteed certification, or to deposit a
    missing one. Addressed to the certifier's organisation, or to the platform's staff when
    no certifier can be named. The certifier answers within ANSWER_DELAY_DAYS."""

    TRANSITIONS = {
        RequestStep.CORRECT: Transition((RequestState.OPEN,), RequestState.CORRECTED),
        RequestStep.REFUSE: Transition((RequestState.OPEN,), RequestState.REFUSED),
    }

    kind = models.CharField("objet", max_length=12, choices=RequestKind.choices)
    holder = models.ForeignKey(Holder, on_delete=models.CASCADE, related_name="requests")
    passage = models.ForeignKey(
        "deposits.Passage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="passage",
    )
    certification = models.ForeignKey(
        "registry.Certification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="certification",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="passport_requests",
        verbose_name="certificateur",
    )
    # The delegated depositor that sent the passage: told of the answer.
    depositor = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="déposant",
    )
    fields = models.JSONField("éléments à corriger", default=list, blank=True)
    message = models.TextField("message du titulaire")
    state = models.CharField(
        "état", max_length=12, choices=RequestState.choices, default=RequestState.OPEN
    )
    due_on = models.DateField("réponse attendue avant le")
    answer = models.TextField("réponse", blank=True)
    answered_at = models.DateTimeField("répondu le", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="répondu par",
    )
    created_at = models.DateTimeField("reçue le", default=timezone.now)

    objects = CorrectionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "demande de correction"
        verbose_name_plural = "demandes de correction"
        indexes = [models.Index(fields=["organisation", "state"], name="request_org_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.pk}"

    @staticmethod
    def due_date(created: datetime.date) -> datetime.date:
        return created + datetime.timedelta(days=ANSWER_DELAY_DAYS)

    def is_overdue(self, *, today: datetime.date | None = None) -> bool:
        """Still open past its due date."""
        today = today or timezone.localdate()
        return self.state == RequestState.OPEN and self.due_on < today

    @property
    def fields_labels(self) -> list[str]:
        """The French labels of the elements the holder says are wrong."""
        labels = dict(CorrectedField.choices)
        return [str(labels.get(code, code)) for code in self.fields]

    def correct(self, *, by, answer: str = "") -> None:
        self._transition(
            RequestStep.CORRECT, by=by, answer=answer, answered_at=timezone.now(), answered_by=by
        )

    def refuse(self, *, by, reason: str) -> None:
        self._transition(
            RequestStep.REFUSE,
            by=by,
            note=reason,
            answer=reason,
            answered_at=timezone.now(),
            answered_by=by,
        )


class CorrectionRequestTransition(TransitionLog):
    subject_field = "request"

    request = models.ForeignKey(
        CorrectionRequest, on_delete=models.CASCADE, related_name="transitions"
    )

    class Meta(TransitionLog.Meta):
        verbose_name = "transition d'une demande de correction"
        verbose_name_plural = "transitions des demandes de correction"
