"""Test settings: SQLite in memory unless DATABASE_URL points at PostgreSQL."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-opencertif")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"
if not os.environ.get("DATA_DIR"):
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="opencertif-test-")
    atexit.register(shutil.rmtree, os.environ["DATA_DIR"], ignore_errors=True)

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import DATABASES, MIDDLEWARE, STATIC_ROOT, STORAGES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The test client and the live server speak plain HTTP: no redirect, no HSTS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"].pop("init_command", None)
WHITENOISE_USE_FINDERS = True
MIDDLEWARE = [
    "config.testing.FindersScannedOnceWhiteNoise"
    if entry == "whitenoise.middleware.WhiteNoiseMiddleware"
    else entry
    for entry in MIDDLEWARE
]
# Tests never use (nor create) a developer's or a server's signing key: a fresh development
# key in a temporary folder, whatever DATA_DIR and the environment say.
PASSPORT_SIGNING_KEY_FILE = PASSPORT_SIGNING_CERT_FILE = PASSPORT_SIGNING_CHAIN_FILE = ""
PASSPORT_PREVIOUS_CERT_FILES = []
PASSPORT_TSA_URL = ""
PASSPORT_KEY_DIR = Path(tempfile.mkdtemp(prefix="opencertif-test-keys-"))
atexit.register(shutil.rmtree, PASSPORT_KEY_DIR, ignore_errors=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
