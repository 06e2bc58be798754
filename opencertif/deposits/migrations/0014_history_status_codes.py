"""The history of passages stores statuses as codes: rewrite the events written before
December 2026 that hold them otherwise (the re-examination wrote `{"statut": ["KO", "OK"]}`)."""

from django.db import migrations
from django.db.models import Q

# Every spelling an older version stored, by the code it stands for.
CODES = {
    "ok": "ok",
    "accepté": "ok",
    "ko": "ko",
    "refusé": "ko",
    "deleted": "deleted",
    "supprimé": "deleted",
}


def _code(value):
    return CODES.get(str(value).strip().lower(), value) if isinstance(value, str) else value


def status_codes(apps, schema_editor):
    PassageEvent = apps.get_model("deposits", "PassageEvent")
    changed = []
    events = PassageEvent.objects.filter(
        Q(changes__has_key="statut") | Q(changes__has_key="status")
    ).only("pk", "changes")
    for event in events.iterator(chunk_size=2000):
        changes = dict(event.changes)
        pair = changes.pop("statut", None) or changes.get("status")
        if isinstance(pair, list):
            changes["status"] = [_code(value) for value in pair]
        if changes != event.changes:
            event.changes = changes
            changed.append(event)
        if len(changed) >= 500:
            PassageEvent.objects.bulk_update(changed, ["changes"])
            changed = []
    PassageEvent.objects.bulk_update(changed, ["changes"])


class Migration(migrations.Migration):
    dependencies = [("deposits", "0013_passage_event_deposit")]

    operations = [migrations.RunPython(status_codes, migrations.RunPython.noop)]
