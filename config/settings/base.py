"""Production settings, driven by environment variables (see docs/environment.md).

dev.py and test.py import this module and override what they need.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_choice,
    env_int,
    env_int_list,
    env_list,
    env_month_day,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var"))).resolve()

SECRET_KEY = env_str("SECRET_KEY", required=True)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    # Listed so that django-ninja renders /api/docs with its own copy of Swagger UI
    # (static files served here) instead of loading it from a CDN.
    "ninja",
    "opencertif.core",
    "opencertif.accounts",
    "opencertif.organisations",
    "opencertif.registry",
    "opencertif.people",
    "opencertif.deposits",
    "opencertif.passages",
    "opencertif.passports",
    "opencertif.www",
    "opencertif.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "opencertif.www.uploads.UploadLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opencertif.www.context_processors.site",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} est illisible : {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while the worker writes; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock between two writers.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    elif config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL doit désigner une base SQLite (sqlite:///…) ou PostgreSQL (postgres://…)."
        )
    return config


DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'opencertif.sqlite3'}")
DATABASES = {"default": _database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "opencertif.accounts.backends.EmailOrIdentifierBackend",
    # Holders coming back from their identity provider (passport sign-in, OpenID Connect).
    "opencertif.passports.oidc.HolderOIDCBackend",
]

# Lock-out (django-axes): temporary, per account, self-service unlock by email.
AXES_FAILURE_LIMIT = env_int("LOCKOUT_FAILURES", 5, minimum=2)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"  # the login field takes an email or an identifier
AXES_USERNAME_CALLABLE = "opencertif.accounts.lockout.attempt_key"
AXES_LOCKOUT_CALLABLE = "opencertif.www.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its log lines would carry the typed login
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "password"]
# Counting per IP address too would lock whole universities out behind one NAT, with no
# self-service way back: the lock is per account, and lifted by the emailed link.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Uploaded documents (account requests): PDF, JPEG or PNG, checked by content.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_MB", 10, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
# Links in mails sent by the worker and the CLI; a web page's mails use the address the
# request was served at.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The anonymous join form (opencertif.accounts.throttle): attempts per hour from one IP
# address, and for one target (one SIRET, one email address).
JOIN_ATTEMPTS_PER_IP = env_int("JOIN_ATTEMPTS_PER_IP", 20, minimum=1)
JOIN_ATTEMPTS_PER_TARGET = env_int("JOIN_ATTEMPTS_PER_TARGET", 5, minimum=1)

# Deposits of passages: the official limits, configurable.
DEPOSIT_MAX_BYTES = env_int("DEPOSIT_MAX_MB", 200, minimum=1) * 1_000_000
DEPOSIT_MAX_PASSAGES = env_int("DEPOSIT_MAX_PASSAGES", 200_000, minimum=1)
# Spreadsheets (.xlsx are zips): no part may inflate beyond this, whatever its zip header
# says (200,000 realistic rows make a sheet part of about 260 MB).
SHEET_MAX_INFLATED_BYTES = env_int("SHEET_MAX_INFLATED_MB", 1000, minimum=1) * 1_000_000
# A running deposit beats its heartbeat every DEPOSIT_HEARTBEAT_SECONDS; a live worker takes
# over one whose heartbeat is older than DEPOSIT_STALL_SECONDS. The whole-file check of an
# untrusted file runs in a child process stopped after DEPOSIT_CHECK_TIMEOUT_SECONDS.
DEPOSIT_HEARTBEAT_SECONDS = env_int("DEPOSIT_HEARTBEAT_SECONDS", 5, minimum=1)
DEPOSIT_STALL_SECONDS = env_int("DEPOSIT_STALL_SECONDS", 60, minimum=10)
DEPOSIT_CHECK_TIMEOUT_SECONDS = env_int("DEPOSIT_CHECK_TIMEOUT_SECONDS", 1800, minimum=10)
# Stored deposit files (compressed) are erased this many days after their processing ended;
# the deposit, its counts and its report stay.
DEPOSIT_FILE_RETENTION_DAYS = env_int("DEPOSIT_FILE_RETENTION_DAYS", 90, minimum=1)


# Deposit compliance (opencertif.passages.compliance): an active certification is late
# without a deposit for DEPOSIT_LATE_MONTHS, a passage when deposited more than
# DEPOSIT_DELAY_MONTHS after its validity start. Reminders are mailed DEPOSIT_REMINDER_DAYS
# days before the yearly DEPOSIT_DEADLINE.
DEPOSIT_LATE_MONTHS = env_int("DEPOSIT_LATE_MONTHS", 12, minimum=1)
DEPOSIT_DELAY_MONTHS = env_int("DEPOSIT_DELAY_MONTHS", 3, minimum=1)
DEPOSIT_DEADLINE = env_month_day("DEPOSIT_DEADLINE", "03-31")
DEPOSIT_REMINDER_DAYS = env_int_list("DEPOSIT_REMINDER_DAYS", "30,7,1")
DEPOSIT_REMINDERS = env_bool("DEPOSIT_REMINDERS", True)
LOGIN_URL = "www:login"
LOGIN_REDIRECT_URL = "www:home"
LOGOUT_REDIRECT_URL = "www:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 12 characters (ANSSI's minimum for a password alone); the forms' help text reads it.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Holders' sign-in to the passport: OpenID Connect with FranceConnect's identity claims
# (mozilla-django-oidc; opencertif.passports.oidc). Off, with a notice on the sign-in
# page, until the client's credentials and the provider's endpoints are all set.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256").strip().upper()
if OIDC_RP_SIGN_ALGO not in ("RS256", "ES256", "HS256"):
    raise ImproperlyConfigured(
        f"OIDC_RP_SIGN_ALGO={OIDC_RP_SIGN_ALGO!r} n'est pas admis (RS256, ES256 ou HS256)."
    )
OIDC_RP_SCOPES = "openid given_name family_name birthdate gender birthplace birthcountry email"
# FranceConnect asks for the level of assurance (eidas1); "none" sends no acr_values.
OIDC_ACR_VALUES = env_str("OIDC_ACR_VALUES", "eidas1").strip()
OIDC_AUTH_REQUEST_EXTRA_PARAMS = (
    {} if OIDC_ACR_VALUES.lower() == "none" else {"acr_values": OIDC_ACR_VALUES}
)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
OIDC_AUTHENTICATION_CALLBACK_URL = "passeport:oidc_callback"
OIDC_USE_NONCE = True
OIDC_CREATE_USER = True
# The development identity provider (/passeport/connexion/developpement/): lets anyone
# sign in as any person of the reference population. dev.py turns it on; never from the
# environment, never in production.
PASSPORT_DEV_PROVIDER = False

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "files"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS by default: plain HTTP is redirected and browsers are told (HSTS) to use HTTPS
# for a year, on the site's own sub-domains too (the platform owns its host name; nothing
# under it is meant to be served over plain HTTP). Behind a reverse proxy that terminates
# TLS, BEHIND_TLS_PROXY makes Django trust its X-Forwarded-Proto (otherwise every request
# looks like HTTP and is redirected in a loop); a proxy that redirects and sends HSTS
# itself can have them off here (SECURE_SSL_REDIRECT=false, SECURE_HSTS_SECONDS=0).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is decided by the owner of the registrable domain (hstspreload.org only
    # takes the apex domain, and leaving the list takes months): not something a platform
    # usually served on a sub-domain can decide, so it is opt-in and its reminder silenced.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images
# come from the platform itself (the DSFR, htmx and Swagger UI are served as static files);
# no inline script, no inline style attribute, no eval, no framing. A page that needs an
# exception says so with csp.decorators on its view.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the small SVG pictograms the DSFR and Swagger UI inline in their CSS.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "opencertif <ne-pas-repondre@opencertif.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

_TASK_BACKEND = env_choice("TASK_BACKEND", "database", ("database", "rq"))
if _TASK_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0")}}
    INSTALLED_APPS += ["django_tasks_rq", "django_rq"]
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Periodic jobs (opencertif.core.periodic): name → (task, period in seconds). The worker
# checks them every PERIODIC_CHECK_SECONDS; `opencertif periodic` does it once.
PERIODIC_CHECK_SECONDS = env_int("PERIODIC_CHECK_SECONDS", 60, minimum=5)
STATISTICS_REFRESH_SECONDS = env_int("STATISTICS_REFRESH_SECONDS", 600, minimum=60)
PERIODIC_JOBS = {
    "purge-deleted-passages": ("opencertif.deposits.tasks.purge_deleted_passages", 86400),
    "purge-deposit-files": ("opencertif.deposits.tasks.purge_deposit_files", 86400),
    "statistics": (
        "opencertif.passages.statistics.refresh_statistics",
        STATISTICS_REFRESH_SECONDS,
    ),
    "deposit-reminders": ("opencertif.passages.compliance.send_deposit_reminders", 86400),
}
# Work of the apps above the deposits that a stopped worker may leave under way: the worker
# (a deposits command, which must not import them) calls these at its start
# (opencertif.core.workers.resume_at_start); the deposits and spreadsheets it resumes itself.
RESUME_AT_WORKER_START = ["opencertif.passages.bulk_deletions.resume_at_start"]
# Deleted passages (one by one, in bulk or by a SUPPRESSION file) can be restored this long.
PASSAGE_RESTORE_DAYS = env_int("PASSAGE_RESTORE_DAYS", 30, minimum=1)

# Signed passport documents (opencertif.passports.keys): the platform's key and certificate
# (PEM), with an optional chain, sign CV PDFs (PAdES) and credentials (VC-JWT). Unset, a
# self-signed development key is created under PASSPORT_KEY_DIR on first use. Certificates
# used before a key change stay recognised (PASSPORT_PREVIOUS_CERT_FILES).
PASSPORT_SIGNING_KEY_FILE = env_str("PASSPORT_SIGNING_KEY_FILE", "")
PASSPORT_SIGNING_CERT_FILE = env_str("PASSPORT_SIGNING_CERT_FILE", "")
PASSPORT_SIGNING_CHAIN_FILE = env_str("PASSPORT_SIGNING_CHAIN_FILE", "")
PASSPORT_PREVIOUS_CERT_FILES = env_list("PASSPORT_PREVIOUS_CERT_FILES", [])
if bool(PASSPORT_SIGNING_KEY_FILE) != bool(PASSPORT_SIGNING_CERT_FILE):
    raise ImproperlyConfigured(
        "PASSPORT_SIGNING_KEY_FILE et PASSPORT_SIGNING_CERT_FILE vont ensemble : "
        "renseignez les deux, ou aucun (clé de développement)."
    )
PASSPORT_KEY_DIR = DATA_DIR / "passport-keys"
# An RFC 3161 time-stamping authority for the PDF signatures (none: the signing time is
# the platform's own clock).
PASSPORT_TSA_URL = env_str("PASSPORT_TSA_URL", "")
# A document uploaded for verification is read in the request: small and bounded.
PASSPORT_VERIFY_MAX_BYTES = env_int("PASSPORT_VERIFY_MAX_MB", 5, minimum=1) * 1024 * 1024

# Django-dsfr: the static files are served locally, never from a CDN.
DSFR_USE_INTEGRITY_CHECKSUMS = True
SITE_TITLE = "opencertif"
SITE_TAGLINE = "Certifications professionnelles : répertoire, dépôts, passeport, VAE"

NINJA_PAGINATION_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# WeasyPrint and fontTools narrate every step of a PDF's rendering at INFO.
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}
LOGGING["loggers"]["fontTools"] = {"level": "WARNING"}
