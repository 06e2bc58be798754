from django.conf import settings
from django.db import models
from django.utils import timezone

from opencertif.core.workflow import Transition, TransitionLog, WorkflowMixin
from opencertif.organisations.models import Organisation
from opencertif.organisations.perms import Right, organisations_filter
from opencertif.passages.enums import BulkDeletionKind, BulkDeletionState, BulkDeletionStep


class BulkDeletionQuerySet(models.QuerySet):
    # A mass deletion, its preview (passages named) and its progress are seen by those
    # who may make one: seeing it and acting on it take the same right.
    def visible_to(self, user):
        return self.filter(
            organisations_filter(user, Right.BULK_DELETE_PASSAGES, through="organisation__")
        )

    def editable_by(self, user):
        """Confirm, restore, run again."""
        return self.visible_to(user)


class BulkDeletion(WorkflowMixin):
    """A mass deletion of passages, previewed then confirmed by typing, run in the
    background, restorable for RESTORE_DAYS."""

    TRANSITIONS = {
        BulkDeletionStep.CONFIRM: Transition((BulkDeletionState.DRAFT,), BulkDeletionState.QUEUED),
        BulkDeletionStep.START: Transition((BulkDeletionState.QUEUED,), BulkDeletionState.RUNNING),
        BulkDeletionStep.FINISH: Transition((BulkDeletionState.RUNNING,), BulkDeletionState.DONE),
        BulkDeletionStep.REQUEST_RESTORE: Transition(
            (BulkDeletionState.DONE,), BulkDeletionState.RESTORING
        ),
        BulkDeletionStep.FINISH_RESTORE: Transition(
            (BulkDeletionState.RESTORING,), BulkDeletionState.RESTORED
        ),
        BulkDeletionStep.FAIL: Transition(
            (
                BulkDeletionState.QUEUED,
                BulkDeletionState.RUNNING,
                BulkDeletionState.RESTORING,
            ),
            BulkDeletionState.FAILED,
        ),
        BulkDeletionStep.RETRY_DELETION: Transition(
            (BulkDeletionState.FAILED,), BulkDeletionState.QUEUED
        ),
        BulkDeletionStep.RETRY_RESTORE: Transition(
            (BulkDeletionState.FAILED,), BulkDeletionState.RESTORING
        ),
    }

    state = models.CharField(
        "état",
        max_length=10,
        choices=BulkDeletionState.choices,
        default=BulkDeletionState.DRAFT,
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="bulk_deletions"
    )
    kind = models.CharField("critère", max_length=14, choices=BulkDeletionKind.choices)
    criteria = models.JSONField("critères", default=dict, blank=True)
    description = models.CharField("sélection", max_length=500)
    reason = models.CharField("motif", max_length=500)
    passage_ids = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField("passages sélectionnés", default=0)
    processed = models.PositiveIntegerField(default=0)
    deleted_count = models.PositiveIntegerField("supprimés", default=0)
    restored_count = models.PositiveIntegerField("restaurés", default=0)
    restore_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    restored_at = models.DateTimeField("restaurée le", null=True, blank=True)
    failure = models.TextField(blank=True)

    objects = BulkDeletionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "suppression en masse"
        verbose_name_plural = "suppressions en masse"

    def __str__(self) -> str:
        return f"Suppression n° {self.pk} – {self.description}"

    # The transitions (TRANSITIONS): each saves what it changes, and is logged.

    def confirm(self, *, reason: str, by) -> None:
        self._transition(
            BulkDeletionStep.CONFIRM, by=by, reason=reason, confirmed_at=timezone.now()
        )

    def start(self) -> None:
        self._transition(BulkDeletionStep.START)

    def finish(self) -> None:
        self._transition(BulkDeletionStep.FINISH, finished_at=timezone.now())

    def request_restore(self, *, by) -> None:
        self._transition(
            BulkDeletionStep.REQUEST_RESTORE, by=by, restore_requested=True, restored_by=by
        )

    def finish_restore(self) -> None:
        self._transition(
            BulkDeletionStep.FINISH_RESTORE, by=self.restored_by, restored_at=timezone.now()
        )

    def fail(self, *, failure: str) -> None:
        self._transition(BulkDeletionStep.FAIL, note=failure, failure=failure)

    def retry_deletion(self, *, by) -> None:
        self._transition(BulkDeletionStep.RETRY_DELETION, by=by)

    def retry_restore(self, *, by) -> None:
        self._transition(BulkDeletionStep.RETRY_RESTORE, by=by)


class BulkDeletionTransition(TransitionLog):
    subject_field = "bulk_deletion"

    bulk_deletion = models.ForeignKey(
        BulkDeletion, on_delete=models.CASCADE, related_name="transitions"
    )

    class Meta(TransitionLog.Meta):
        verbose_name = "transition d'une suppression en masse"
        verbose_name_plural = "transitions des suppressions en masse"


class StatisticsSnapshot(models.Model):
    """The platform's figures, computed in the background and read by the pages."""

    computed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    # The staff compliance list (one row per certifier): large, read by one page only.
    compliance = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = "statistiques"
        verbose_name_plural = "statistiques"

    def __str__(self) -> str:
        return f"Statistiques du {self.computed_at:%Y-%m-%d %H:%M}"


class ReminderSent(models.Model):
    """A yearly-deadline reminder mailed to an organisation (never twice for one step)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="deposit_reminders"
    )
    deadline = models.DateField("échéance")
    days_before = models.PositiveSmallIntegerField("jours avant l'échéance")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(default=0)
    late_certifications = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "rappel de dépôt"
        verbose_name_plural = "rappels de dépôt"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "deadline", "days_before"], name="one_reminder_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} – {self.deadline} J-{self.days_before}"
