from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One write that matters: who did what to which object, with before/after values.

    Personal data never enters `changes` in clear: callers pass field names and masked
    values (see opencertif.core.audit).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    summary = models.CharField(max_length=500, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "journal d'audit"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class PeriodicRun(models.Model):
    """One run of a periodic job for one period (a day, an hour): the unique key makes
    sure that several workers never run the same job twice for the same period."""

    name = models.CharField(max_length=100)
    period = models.CharField(max_length=40)
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "exécution périodique"
        verbose_name_plural = "exécutions périodiques"
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="periodic_run_once")]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"


class WorkerBeat(models.Model):
    """A live background worker (`opencertif worker`): it beats every few seconds. Task rows
    left running by a worker that stopped beating are marked failed (core.workers)."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-beat_at"]
        verbose_name = "worker actif"
        verbose_name_plural = "workers actifs"

    def __str__(self) -> str:
        return self.worker_id
