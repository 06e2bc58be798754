"""Password rules shown to people: the length is read from AUTH_PASSWORD_VALIDATORS, so the
help text of every form that sets a password says what the validators enforce."""

from django.conf import settings
from django.utils.functional import lazy

MINIMUM_LENGTH_VALIDATOR = "django.contrib.auth.password_validation.MinimumLengthValidator"


def minimum_length() -> int:
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"] == MINIMUM_LENGTH_VALIDATOR:
            return int(validator.get("OPTIONS", {}).get("min_length", 8))
    return 0


def help_text() -> str:
    return (
        f"Au moins {minimum_length()} caractères, pas uniquement des chiffres, ni trop proche "
        "de votre nom ou de votre adresse, ni trop courant. Une phrase de plusieurs mots est "
        "facile à retenir."
    )


# For form fields declared at import time: evaluated when rendered, after settings load.
HELP_TEXT = lazy(help_text, str)()
