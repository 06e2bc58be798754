from django.db import models


class AuditAction(models.TextChoices):
    """Audit actions of the core (each app lists its own in its enums.py)."""

    AUDIT_READ = "audit.read", "Journal d'audit consulté"
