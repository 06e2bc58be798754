from django.db import migrations


def install(apps, schema_editor):
    from opencertif.registry.search_backends import install as install_index

    install_index(schema_editor)


def uninstall(apps, schema_editor):
    from opencertif.registry.search_backends import uninstall as uninstall_index

    uninstall_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
