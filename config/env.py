"""Reading settings from environment variables, failing loudly on malformed values.

Every variable read here is listed in docs/environment.md.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"La variable d'environnement {name} est obligatoire.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} n'est pas un booléen : utilisez 1/0, true/false, yes/no ou on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} n'est pas un nombre entier.") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} doit valoir au moins {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} n'est pas une valeur admise ({', '.join(choices)})."
        )
    return value


def env_month_day(name: str, default: str) -> tuple[int, int]:
    """A day of the year written MM-JJ (03-31), as (month, day); 02-29 is refused."""
    value = env_str(name, default).strip()
    month, dash, day = value.partition("-")
    days_in_month = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if (
        dash
        and len(month) == len(day) == 2
        and (month + day).isascii()
        and (month + day).isdigit()
        and 1 <= int(month) <= 12
        and 1 <= int(day) <= days_in_month[int(month) - 1]
    ):
        return int(month), int(day)
    raise ImproperlyConfigured(
        f"{name}={value!r} n'est pas une date de l'année au format MM-JJ (ex. : 03-31)."
    )


def env_int_list(name: str, default: str) -> tuple[int, ...]:
    """Comma-separated numbers of days (30,7,1), each from 0 to 365, largest first."""
    items = env_list(name, default.split(","))
    try:
        days = sorted({int(item) for item in items}, reverse=True)
    except ValueError:
        days = []
    if not days or not all(0 <= number <= 365 for number in days):
        raise ImproperlyConfigured(
            f"{name} doit être une liste de nombres de jours de 0 à 365 séparés par des "
            "virgules (ex. : 30,7,1)."
        )
    return tuple(days)
