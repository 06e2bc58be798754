"""Person and TrainingDossier now belong to the people app (its migration 0001 took their
tables over and renamed them): this app forgets them. Nothing changes in the database —
the foreign key of Passage.person already points at the renamed table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deposits", "0010_mask_history_nir"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="passage",
                    name="person",
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="passages", to="people.person"),
                ),
                migrations.DeleteModel(name="TrainingDossier"),
                migrations.DeleteModel(name="Person"),
            ],
            database_operations=[],
        ),
    ]
