"""Mass deletions, deposit reminders and statistics snapshots leave the deposits app for
this one (issue 10).

Their tables already exist (created by the deposits migrations, which let go of them in
their 0012): the models are declared here on them, then the tables are renamed to this
app's prefix. Rows that name the models by label — content types (and so permissions and
admin log entries), audit entries and state changes — are relabelled, so that a mass
deletion's history and transition log stay attached to it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("bulkdeletion", "remindersent", "statisticssnapshot")


def _relabel(apps, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label=new, model=model).exists():
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)
    for name in ("AuditEntry", "StateChange"):
        entries = apps.get_model("core", name).objects
        for model in MOVED:
            entries.filter(object_type=f"{old}.{model}").update(object_type=f"{new}.{model}")


def forwards(apps, schema_editor):
    _relabel(apps, "deposits", "passages")


def backwards(apps, schema_editor):
    _relabel(apps, "passages", "deposits")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The tables were created there, and let go of there.
        ("deposits", "0012_bulk_deletions_leave"),
        ("organisations", "0004_higher_education_kind"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_worker_beat"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StatisticsSnapshot",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("computed_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("duration_ms", models.PositiveIntegerField(default=0)),
                        ("data", models.JSONField(default=dict)),
                        ("compliance", models.JSONField(blank=True, default=list)),
                    ],
                    options={
                        "db_table": "deposits_statisticssnapshot",
                        "verbose_name": "statistiques",
                        "verbose_name_plural": "statistiques",
                        "ordering": ["-computed_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="BulkDeletion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("state", models.CharField(choices=[("draft", "Aperçu, à confirmer"), ("queued", "En attente"), ("running", "Suppression en cours"), ("done", "Supprimés"), ("restoring", "Restauration en cours"), ("restored", "Restaurés"), ("failed", "Échec technique")], default="draft", max_length=10, verbose_name="état")),
                        ("kind", models.CharField(choices=[("deposit", "Tous les passages d'un dépôt"), ("certification", "Une certification sur une période"), ("selection", "Une sélection de passages"), ("id_list", "Une liste d'idTechnique")], max_length=14, verbose_name="critère")),
                        ("criteria", models.JSONField(blank=True, default=dict, verbose_name="critères")),
                        ("description", models.CharField(max_length=500, verbose_name="sélection")),
                        ("reason", models.CharField(max_length=500, verbose_name="motif")),
                        ("passage_ids", models.JSONField(blank=True, default=list)),
                        ("total", models.PositiveIntegerField(default=0, verbose_name="passages sélectionnés")),
                        ("processed", models.PositiveIntegerField(default=0)),
                        ("deleted_count", models.PositiveIntegerField(default=0, verbose_name="supprimés")),
                        ("restored_count", models.PositiveIntegerField(default=0, verbose_name="restaurés")),
                        ("restore_requested", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="demandée le")),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="confirmée le")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="terminée le")),
                        ("restored_at", models.DateTimeField(blank=True, null=True, verbose_name="restaurée le")),
                        ("failure", models.TextField(blank=True)),
                        ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="bulk_deletions", to="organisations.organisation")),
                        ("restored_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "deposits_bulkdeletion",
                        "verbose_name": "suppression en masse",
                        "verbose_name_plural": "suppressions en masse",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="ReminderSent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("deadline", models.DateField(verbose_name="échéance")),
                        ("days_before", models.PositiveSmallIntegerField(verbose_name="jours avant l'échéance")),
                        ("sent_at", models.DateTimeField(auto_now_add=True)),
                        ("recipients", models.PositiveSmallIntegerField(default=0)),
                        ("late_certifications", models.PositiveIntegerField(default=0)),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="deposit_reminders", to="organisations.organisation")),
                    ],
                    options={
                        "db_table": "deposits_remindersent",
                        "verbose_name": "rappel de dépôt",
                        "verbose_name_plural": "rappels de dépôt",
                        "ordering": ["-sent_at"],
                        "constraints": [models.UniqueConstraint(fields=("organisation", "deadline", "days_before"), name="one_reminder_per_step")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="statisticssnapshot", table=None),
        migrations.AlterModelTable(name="bulkdeletion", table=None),
        migrations.AlterModelTable(name="remindersent", table=None),
        migrations.RunPython(forwards, backwards),
    ]
