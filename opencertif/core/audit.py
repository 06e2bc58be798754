"""The audit trail: every write that matters appends an AuditEntry."""

import datetime
import json
from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

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


# Reading the trail (the staff's audit log pages). Reading is itself recorded by the caller
# (action "audit.read"), like any access to what the trail tells about people.

READ_ACTION = "audit.read"


def entries_about(*targets: models.Model | models.QuerySet) -> models.QuerySet:
    """Audit entries of several objects at once, newest first: each target is one object
    or a queryset of objects of one model (matched in SQL, never loaded)."""
    condition = None
    for target in targets:
        if isinstance(target, models.Model):
            part = Q(object_type=target._meta.label_lower, object_id=str(target.pk))
        else:
            ids = target.order_by().annotate(audit_id=Cast("pk", models.CharField()))
            part = Q(
                object_type=target.model._meta.label_lower,
                object_id__in=ids.values("audit_id"),
            )
        condition = part if condition is None else condition | part
    if condition is None:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(condition).select_related("actor").order_by("-at", "-id")


def filter_entries(
    entries: models.QuerySet,
    *,
    action: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> models.QuerySet:
    """Entries of one action and within local calendar days (both ends included)."""
    if action:
        entries = entries.filter(action=action)
    if since:
        entries = entries.filter(at__gte=_start_of_day(since))
    if until:
        entries = entries.filter(at__lt=_start_of_day(until + datetime.timedelta(days=1)))
    return entries


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def actions_in(entries: models.QuerySet) -> list[str]:
    """The distinct actions of a set of entries, sorted, for a filter's choices."""
    return sorted(set(entries.order_by().values_list("action", flat=True).distinct()))


def describe_changes(changes: dict) -> list[str]:
    """Before/after lines of an entry: `[before, after]` pairs become « before → after »."""
    lines = []
    for key, value in (changes or {}).items():
        if isinstance(value, list | tuple) and len(value) == 2:
            text = f"{_plain(value[0])} → {_plain(value[1])}"
        else:
            text = _plain(value)
        lines.append(f"{key} : {text}")
    return lines


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
