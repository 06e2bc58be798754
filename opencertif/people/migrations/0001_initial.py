"""The reference population leaves the deposits app for its own (issue 10).

Its two tables already exist (created by the deposits migrations): the models are declared
here on them, then the tables are renamed to this app's prefix. Foreign keys that point at
them follow the rename on both databases (PostgreSQL keeps them by table identity; SQLite
rewrites the references). Rows that name the models by label — content types (and so
permissions and admin log entries), audit entries and state changes — are relabelled, so
that an object's history stays attached to it.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("person", "trainingdossier")


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
    _relabel(apps, "deposits", "people")


def backwards(apps, schema_editor):
    _relabel(apps, "people", "deposits")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The tables were created there: they must exist before they are taken over.
        ("deposits", "0010_mask_history_nir"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_worker_beat"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Person",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("nir", models.CharField(blank=True, max_length=13, null=True, unique=True, verbose_name="NIR (sans clé)")),
                        ("birth_name", models.CharField(max_length=60, verbose_name="nom de naissance")),
                        ("usage_name", models.CharField(blank=True, max_length=60, verbose_name="nom d'usage")),
                        ("first_name1", models.CharField(max_length=60, verbose_name="prénom 1")),
                        ("first_name2", models.CharField(blank=True, max_length=60, verbose_name="prénom 2")),
                        ("first_name3", models.CharField(blank=True, max_length=60, verbose_name="prénom 3")),
                        ("sex", models.CharField(choices=[("M", "Homme"), ("F", "Femme")], max_length=1, verbose_name="sexe")),
                        ("birth_year", models.PositiveSmallIntegerField(verbose_name="année de naissance")),
                        ("birth_month", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="mois de naissance")),
                        ("birth_day", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="jour de naissance")),
                        ("birth_insee", models.CharField(blank=True, max_length=5, verbose_name="code INSEE de naissance")),
                        ("birth_postal_code", models.CharField(blank=True, max_length=9, verbose_name="code postal de naissance")),
                        ("birth_country", models.CharField(blank=True, max_length=3, verbose_name="code pays de naissance")),
                        ("birth_name_key", models.CharField(editable=False, max_length=60)),
                        ("first_name_key", models.CharField(editable=False, max_length=60)),
                        ("row_digest", models.CharField(db_index=True, editable=False, max_length=32)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "deposits_person",
                        "verbose_name": "personne",
                        "verbose_name_plural": "population de référence",
                        "indexes": [
                            models.Index(fields=["birth_name_key", "birth_year"], name="person_name_year"),
                            models.Index(fields=["sex", "birth_year", "birth_month", "birth_day"], name="person_birth"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="TrainingDossier",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("dossier_id", models.CharField(max_length=13, unique=True, verbose_name="identifiant du dossier")),
                        ("person", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="dossiers", to="people.person")),
                    ],
                    options={
                        "db_table": "deposits_trainingdossier",
                        "verbose_name": "dossier de formation",
                        "verbose_name_plural": "dossiers de formation",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="person", table=None),
        migrations.AlterModelTable(name="trainingdossier", table=None),
        migrations.RunPython(forwards, backwards),
    ]
