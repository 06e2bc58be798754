"""The `opencertif` console script: Django's management entry point.

Without DJANGO_SETTINGS_MODULE it uses the development settings (SQLite under var/), so that
`opencertif import_registry …` after `make run` acts on the same database as the site.
Production sets DJANGO_SETTINGS_MODULE=config.settings.base.

Its first line on standard error always names the settings it runs with and whether DEBUG
is on: a worker or an import started by mistake with the development settings (a public
secret key, mails printed on the console) must not go unnoticed.
"""

import os
import sys

# What each of the project's settings modules is for; any other module is the operator's.
PURPOSES = {
    "config.settings.base": "production",
    "config.settings.dev": "développement",
    "config.settings.test": "tests",
}
NOT_FOR_PRODUCTION = ("config.settings.dev", "config.settings.test")


def settings_banner() -> str:
    """The line naming the settings module, whether DEBUG is on and what the module is for."""
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    try:
        from django.conf import settings

        debug = settings.DEBUG
    except Exception as exc:  # the command that follows reports the error in full
        return f"opencertif : réglages {module} (illisibles : {exc})"
    detail = "DEBUG activé" if debug else "DEBUG désactivé"
    if module in PURPOSES and not (debug and PURPOSES[module] == "production"):
        detail += f", {PURPOSES[module]}"
    if debug or module in NOT_FOR_PRODUCTION:
        detail += " — ne pas utiliser en production"
    return f"opencertif : réglages {module} ({detail})"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    sys.stderr.write(settings_banner() + "\n")
    sys.stderr.flush()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["opencertif", *sys.argv[1:]])


if __name__ == "__main__":
    main()
