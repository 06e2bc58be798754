"""The `opencertif` console script: Django's management entry point.

Without DJANGO_SETTINGS_MODULE it uses the development settings (SQLite under var/), so that
`opencertif import_registry …` after `make run` acts on the same database as the site.
Production sets DJANGO_SETTINGS_MODULE=config.settings.base.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["opencertif", *sys.argv[1:]])


if __name__ == "__main__":
    main()
