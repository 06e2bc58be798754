"""Development settings: `make run`, SQLite under var/, mails printed on the console."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-not-secret-opencertif")

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import STATIC_ROOT, STORAGES  # noqa: E402

DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Served over plain HTTP on this machine: no redirect to HTTPS, no HSTS (a browser would
# remember it for 127.0.0.1 a year).
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Sign in to the passport as a demo person, without an identity provider (make run only).
PASSPORT_DEV_PROVIDER = True
