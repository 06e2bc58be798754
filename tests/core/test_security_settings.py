"""HTTPS, HSTS and the Content-Security-Policy: production defaults and what every page sends."""

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
# Variables of the running test session that must not leak into "production".
# What a production server would not have: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE
# for their own process.
_CLEARED = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "DEBUG",
    "BEHIND_TLS_PROXY",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_env(tmp_path, **variables) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _CLEARED and not key.startswith("SECURE_")
    }
    alphabet = string.ascii_letters + string.digits + string.punctuation.replace("$", "")
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="example.fr",
        DATA_DIR=str(tmp_path),
        **variables,
    )
    return env


def run(code_or_args, env) -> subprocess.CompletedProcess:
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_checks_report_nothing_with_production_variables(tmp_path):
    result = run(
        ["-m", "opencertif", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


PRINT_HTTPS = (
    "import json, config.settings.base as s; print(json.dumps([s.SECURE_SSL_REDIRECT, "
    "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, getattr(s, 'SECURE_PROXY_SSL_HEADER', None)]))"
)


def test_production_settings_redirect_to_https_and_send_hsts_by_default(tmp_path):
    result = run(PRINT_HTTPS, production_env(tmp_path))
    assert json.loads(result.stdout) == [True, 31_536_000, True, False, True, True, None]


def test_a_tls_proxy_that_redirects_itself_can_turn_them_off(tmp_path):
    env = production_env(
        tmp_path,
        BEHIND_TLS_PROXY="true",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="non",
        SECURE_HSTS_PRELOAD="oui",
    )
    result = run(PRINT_HTTPS, env)
    assert json.loads(result.stdout) == [
        False,
        0,
        False,
        True,
        True,
        True,
        ["HTTP_X_FORWARDED_PROTO", "https"],
    ]


def test_malformed_https_variables_stop_the_start(tmp_path):
    result = run(PRINT_HTTPS, production_env(tmp_path, SECURE_SSL_REDIRECT="peut-être"))
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr


def test_production_requests_are_redirected_and_answered_with_hsts_and_csp(tmp_path):
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "plain = c.get('/api/openapi.json', HTTP_HOST='example.fr'); "
        "secure = c.get('/api/openapi.json', HTTP_HOST='example.fr', secure=True); "
        "import json; print(json.dumps([plain.status_code, plain['Location'], "
        "secure.status_code, secure['Strict-Transport-Security'], "
        "secure['Content-Security-Policy']]))"
    )
    result = run(code, production_env(tmp_path, DATABASE_URL="sqlite:///:memory:"))
    plain_status, location, secure_status, hsts, csp = json.loads(result.stdout)
    assert (plain_status, location) == (301, "https://example.fr/api/openapi.json")
    assert secure_status == 200
    assert hsts == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in csp


@pytest.mark.parametrize("module", ["config.settings.dev", "config.settings.test"])
def test_development_and_test_settings_stay_on_plain_http(tmp_path, module):
    env = {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": module}
    code = (
        "import django; from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)"
    )
    assert run(code, env).stdout.split() == ["False", "0", "False"]


# --- Content-Security-Policy ---------------------------------------------------------------


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/repertoire/", "/connexion/", "/page-inexistante/", "/api/docs", "/admin/login/"]
)
def test_every_page_sends_a_strict_content_security_policy(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
