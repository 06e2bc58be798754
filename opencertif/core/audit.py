"""The audit trail: every write that matters appends an AuditEntry."""

from typing import Any

from django.db import models

from opencertif.core.models import AuditEntry


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    summary: str = "",
    changes: dict | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one audit entry for `obj`; `actor` is a user or None for the system."""
    user = actor if getattr(actor, "pk", None) else None
    label = actor_label or (str(actor) if user else "système")
    return AuditEntry.objects.create(
        actor=user,
        actor_label=label[:200],
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:500],
        changes=changes or {},
    )


def history(obj: models.Model):
    """Audit entries of one object, newest first."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
