"""BulkDeletion, ReminderSent and StatisticsSnapshot now belong to the passages app, above
this one (its migration 0001 takes their tables over and renames them).

A passage and its history still say which mass deletion deleted them, by number: the
foreign keys to BulkDeletion become plain numbers in the same columns (the database loses
only the constraint; PostgreSQL drops it, SQLite copies the table without it), because
this app may not point at a model of an app above it. Then this app forgets the three
models, without touching their tables."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("deposits", "0011_person_moves_to_people")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="passage", name="passage_bulk_deletion"),
                migrations.RemoveField(model_name="passage", name="bulk_deletion"),
                migrations.AddField(
                    model_name="passage",
                    name="bulk_deletion_id",
                    field=models.BigIntegerField(blank=True, null=True),
                ),
                migrations.AddIndex(
                    model_name="passage",
                    index=models.Index(condition=models.Q(("bulk_deletion_id__isnull", False)), fields=["bulk_deletion_id"], name="passage_bulk_deletion"),
                ),
                migrations.RemoveField(model_name="passageevent", name="bulk_deletion"),
                migrations.AddField(
                    model_name="passageevent",
                    name="bulk_deletion_id",
                    field=models.BigIntegerField(blank=True, db_index=True, null=True),
                ),
            ],
            # The same columns, indexes kept: only the foreign key constraints go.
            database_operations=[
                migrations.AlterField(
                    model_name="passage",
                    name="bulk_deletion",
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="passages", to="deposits.bulkdeletion"),
                ),
                migrations.AlterField(
                    model_name="passageevent",
                    name="bulk_deletion",
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="deposits.bulkdeletion"),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="BulkDeletion"),
                migrations.DeleteModel(name="ReminderSent"),
                migrations.DeleteModel(name="StatisticsSnapshot"),
            ],
            database_operations=[],
        ),
    ]
