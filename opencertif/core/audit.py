"""The audit trail: every write that matters appends an AuditEntry."""

import datetime
import json
from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from opencertif.core.models import AuditEntry

SYSTEM = "système"
# An entry about many objects names the first ones only: a batch of a deposit or an
# export may hold hundreds of thousands.
AUDITED_IDS = 1000


def actor_name(actor: Any, label: str = "") -> str:
    """How the trail and the histories name who acted: the given label (an API token),
    else the user, else the system."""
    return label or (str(actor) if getattr(actor, "pk", None) else SYSTEM)


def ids_changes(ids: list[int], *, count: int | None = None) -> dict[str, object]:
    """The `changes` of an entry about several objects: their ids (the first
    AUDITED_IDS), and how many when told."""
    changes: dict[str, object] = {"ids": list(ids[:AUDITED_IDS])}
    if count is not None:
        changes["count"] = count
    if len(ids) > AUDITED_IDS:
        changes["ids_truncated"] = True
    return changes


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | type[models.Model],
    summary: str = "",
    changes: dict | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one audit entry for `obj`; `actor` is a user or None for the system. An
    entry about several objects of a model with no one object behind them (a purge) names
    the model (`obj` a model class) and lists the ids in `changes` (`ids_changes`)."""
    user = actor if getattr(actor, "pk", None) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=actor_name(actor, actor_label)[:200],
        action=action,
        object_type=obj._meta.label_lower,
        object_id="" if isinstance(obj, type) else str(obj.pk),
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
