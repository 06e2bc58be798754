"""The history of passages keeps no NIR in clear: mask those written before December 2026."""

from django.db import migrations


def _mask(nir):
    nir = (nir or "").strip()
    if not nir or "•" in nir:
        return nir or None
    if len(nir) < 5:
        return "•" * len(nir)
    return f"{nir[0]} {nir[1:3]} {nir[3:5]} •• ••• •••"


def mask_history_nirs(apps, schema_editor):
    PassageEvent = apps.get_model("deposits", "PassageEvent")
    changed = []
    for event in PassageEvent.objects.filter(changes__has_key="nir").only("pk", "changes"):
        pair = event.changes.get("nir")
        if isinstance(pair, list):
            event.changes["nir"] = [_mask(value) if value else value for value in pair]
            changed.append(event)
    PassageEvent.objects.bulk_update(changed, ["changes"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("deposits", "0009_passage_certifier_received")]

    operations = [migrations.RunPython(mask_history_nirs, migrations.RunPython.noop)]
