from django.db import migrations

STAFF_GROUPS = ("Validation des comptes", "Identifiants de dépôt")


def create_groups(apps, schema_editor):
    group = apps.get_model("auth", "Group")
    for name in STAFF_GROUPS:
        group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=STAFF_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_email_verified_at_user_job_title"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
