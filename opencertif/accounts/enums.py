from django.db import models


class AuditAction(models.TextChoices):
    """What the audit trail records about accounts (stable codes, French labels)."""

    EMAIL_CHANGE_REQUESTED = "user.email_change_requested", "Changement d'adresse demandé"
    EMAIL_CHANGED = "user.email_changed", "Adresse électronique changée"
    PASSWORD_CHANGED = "user.password_changed", "Mot de passe changé"
    UNLOCKED = "user.unlocked", "Compte débloqué"
