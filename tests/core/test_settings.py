import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_str


def test_malformed_values_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "douze")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="au moins 1"):
        env_int("X_INT", 1, minimum=1)
    monkeypatch.setenv("X_CHOICE", "kafka")
    with pytest.raises(ImproperlyConfigured, match="database, rq"):
        env_choice("X_CHOICE", "database", ("database", "rq"))


def test_required_value_must_be_set(monkeypatch):
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="obligatoire"):
        env_str("X_REQUIRED", required=True)


def test_well_formed_values_are_read(monkeypatch):
    monkeypatch.setenv("X_BOOL", "oui")
    monkeypatch.setenv("X_LIST", "a.fr, b.fr ,")
    monkeypatch.setenv("X_INT", " 42 ")
    assert env_bool("X_BOOL", False) is True
    assert env_list("X_LIST", []) == ["a.fr", "b.fr"]
    assert env_int("X_INT", 1) == 42


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env["DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.base"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_unknown_database_url_is_refused(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SECRET_KEY": "x",
        "DATABASE_URL": "mysql://root@localhost/db",
        "DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.base"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode != 0
    assert "SQLite" in result.stderr and "PostgreSQL" in result.stderr
