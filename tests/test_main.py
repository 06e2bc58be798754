"""The `opencertif` command names its settings on the first line of standard error."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_stderr_line(**variables) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DEBUG", "DATABASE_URL")
    }
    env.update(variables)
    result = subprocess.run(
        [sys.executable, "-m", "opencertif", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()[0]


def test_without_settings_module_it_says_it_runs_the_development_settings(tmp_path):
    assert first_stderr_line(DATA_DIR=str(tmp_path)) == (
        "opencertif : réglages config.settings.dev "
        "(DEBUG activé, développement — ne pas utiliser en production)"
    )


def test_with_production_settings_it_says_so(tmp_path):
    production = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": "x" * 50,
        "DATA_DIR": str(tmp_path),
    }
    assert first_stderr_line(**production) == (
        "opencertif : réglages config.settings.base (DEBUG désactivé, production)"
    )
    assert first_stderr_line(**production, DEBUG="true") == (
        "opencertif : réglages config.settings.base (DEBUG activé — ne pas utiliser en production)"
    )


def test_with_unreadable_settings_the_first_line_still_names_them(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "opencertif", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stderr.splitlines()[0].startswith(
        "opencertif : réglages config.settings.base (illisibles : "
    )
    assert "SECRET_KEY" in result.stderr.splitlines()[0]
