"""One settings module, read from the environment (see docs/operations.md)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext

from officium.env import (
    database_config,
    envbool,
    envint,
    envlist,
    envstr,
    map_tile_origins,
    optional_secret,
    require_strong_secret_key,
    require_valid_master_key,
    secret,
)

# Django's generic classes (fields, form fields, querysets, views) accept type arguments at
# run time, as the annotations checked by mypy --strict use them (``FormView[MyForm]``).
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(envstr("OFFICIUM_HOME", os.getcwd())).resolve()
VAR_DIR = Path(envstr("OFFICIUM_VAR_DIR", str(BASE_DIR / "var"))).resolve()

OFFICIUM_ENV = envstr("OFFICIUM_ENV", "development")
if OFFICIUM_ENV not in {"development", "production", "test"}:
    raise ValueError(f"OFFICIUM_ENV must be development, production or test, got {OFFICIUM_ENV!r}")
PRODUCTION = OFFICIUM_ENV == "production"
TESTING = OFFICIUM_ENV == "test" or envbool("OFFICIUM_TESTING")

SECRET_KEY = secret("SECRET_KEY", production=PRODUCTION, var_dir=VAR_DIR)
OFFICIUM_MASTER_KEY = secret(
    "OFFICIUM_MASTER_KEY",
    production=PRODUCTION,
    var_dir=VAR_DIR,
    generate=lambda: __import__("base64").urlsafe_b64encode(os.urandom(32)).decode(),
)
if PRODUCTION:  # stop here, with a message naming the variable, rather than run weakly
    require_strong_secret_key(SECRET_KEY)
    require_valid_master_key("OFFICIUM_MASTER_KEY", OFFICIUM_MASTER_KEY)
    for _retired in envlist("OFFICIUM_RETIRED_MASTER_KEYS", []):
        require_valid_master_key("OFFICIUM_RETIRED_MASTER_KEYS", _retired)
DEBUG = envbool("DEBUG", default=False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
OFFICIUM_POLICY = envstr("OFFICIUM_POLICY", "officeportal")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "officium.mail",
    "officium.shard",  # SC3: shard-ready check, and the conversion migrate runs on PostgreSQL
    "ninja",  # its static Swagger UI serves /api/docs (no CDN; the CSP allows 'self' only)
    "officium.privacy.apps.PrivacyConfig",
    "officium.privacy.audit",
    "officium.privacy.vault",
    "officium.privacy.consent",
    "officium.privacy.rights",
    "officium.privacy.retention",
    "officium.accounts",
    "officium.notifications",
    "officium.worker",
    "officium.comms",
    "officium.attendance",
    "officium.workforce",
    "officium.fieldwork",
    "officium.portal",
    "officium.billing",
    "officium.operator",
    "officium.onboarding",
]

MIDDLEWARE = [
    "officium.priority.RequestsInFlight",  # a device's batch steps aside while people's requests run
    "officium.middleware.ReadWholeRequest",  # outermost: the body is read before any answer leaves
    "officium.middleware.HeadWithoutBody",  # sees every answer last but one
    "officium.ops.metrics.RequestMetrics",  # SC2: count and time every answer by route name
    "officium.middleware.ApiErrorsAsJson",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "officium.privacy.consent.middleware.ConsentSignalsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "officium.error_pages.FriendlyMethodNotAllowed",  # innermost: its page gets the CSP header too
    "axes.middleware.AxesMiddleware",
    "officium.privacy.logs.RequestLogMiddleware",
    "officium.billing.usage.UsageMiddleware",  # AC6: API calls counted in memory, flushed in batches
    "officium.operator.staff.StaffTwoStepMiddleware",  # OP3: staff enrol two-step sign-in first
]

ROOT_URLCONF = "officium.urls"
WSGI_APPLICATION = "officium.wsgi.application"
ASGI_APPLICATION = "officium.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "officium.accounts.context.navigation",
                "officium.notifications.views.unread_badge",
            ],
        },
    }
]

DATABASES = {"default": database_config(envstr("DATABASE_URL"), var_dir=VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
if TESTING:
    # Still argon2 (AC7 asserts it), with a small memory cost so the suite stays quick.
    PASSWORD_HASHERS = ["officium.accounts.hashers.QuickArgon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# django-axes: lock a username from one address after repeated failures (AC7).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

# Second factor (django-otp devices in accounts/mfa): 1, 2, 4 … seconds between wrong codes,
# and after OFFICIUM_MFA_LOCK_AFTER wrong codes in a row the device is locked for a while (AC7).
OTP_THROTTLE_FACTOR = envint("OTP_THROTTLE_FACTOR", 1)
OFFICIUM_MFA_LOCK_AFTER = envint("OFFICIUM_MFA_LOCK_AFTER", 10)
OFFICIUM_MFA_LOCK_MINUTES = envint("OFFICIUM_MFA_LOCK_MINUTES", 15)
OFFICIUM_MFA_ISSUER = envstr("OFFICIUM_MFA_ISSUER", "Officium")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 12)
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "officium.error_pages.csrf_failure"  # UX3: a page that says what to do
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Probes and scrapes come over plain HTTP from inside (docs/operations.md, "Health").
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# WT8: the map draws sites on a plain background with a scale; tiles only from a server the
# operator names (e.g. https://tile.example.org/{z}/{x}/{y}.png), which the CSP then allows.
OFFICIUM_MAP_TILES_URL = envstr("OFFICIUM_MAP_TILES_URL", "")
OFFICIUM_MAP_TILES_ATTRIBUTION = envstr("OFFICIUM_MAP_TILES_ATTRIBUTION", "")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *map_tile_origins(OFFICIUM_MAP_TILES_URL)],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(VAR_DIR / "files")}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# S3-compatible object storage for the portal's (already encrypted) files: set the bucket; the
# credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role).
OFFICIUM_S3_BUCKET = envstr("OFFICIUM_S3_BUCKET")
if OFFICIUM_S3_BUCKET:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": OFFICIUM_S3_BUCKET, "endpoint_url": envstr("OFFICIUM_S3_ENDPOINT_URL") or None,
        "region_name": envstr("OFFICIUM_S3_REGION") or None, "location": envstr("OFFICIUM_S3_PREFIX"),
        "file_overwrite": False, "default_acl": None}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = not PRODUCTION

DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Officium <no-reply@officium.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = envstr("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif PRODUCTION:
    raise RuntimeError("EMAIL_HOST is not set: production needs an SMTP server to send mail.")
elif envstr("EMAIL_FILE_PATH", ""):
    # UX1: `officium demo` writes its emails to files, so the logins stay the last lines printed.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", "")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The task queue: the database (embedded default) or RQ on Redis (SC1, docs/operations.md).
OFFICIUM_TASKS_BACKEND = envstr("OFFICIUM_TASKS_BACKEND", "database")
if OFFICIUM_TASKS_BACKEND not in {"database", "rq"}:
    raise ValueError(f"OFFICIUM_TASKS_BACKEND must be database or rq, got {OFFICIUM_TASKS_BACKEND!r}")
TASK_QUEUES = ["default", "email", "privacy", "retention"]
TASKS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if envbool("OFFICIUM_TASKS_IMMEDIATE", default=TESTING)
            else "officium.worker.rq.RQBackend" if OFFICIUM_TASKS_BACKEND == "rq"
            else "django_tasks_db.backend.DatabaseBackend"
        ),
        "QUEUES": TASK_QUEUES,
    }
}
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
OFFICIUM_RQ_JOB_TIMEOUT = envint("OFFICIUM_RQ_JOB_TIMEOUT", 3600)
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": OFFICIUM_RQ_JOB_TIMEOUT}
             for name in TASK_QUEUES}
# A job whose worker died is run again (by another worker) once its heartbeat has lapsed.
OFFICIUM_RQ_HEARTBEAT_SECONDS = envint("OFFICIUM_RQ_HEARTBEAT_SECONDS", 10)
OFFICIUM_RQ_GRACE_SECONDS = envint("OFFICIUM_RQ_GRACE_SECONDS", 30)
OFFICIUM_RQ_MAINTENANCE_SECONDS = envint("OFFICIUM_RQ_MAINTENANCE_SECONDS", 60)
OFFICIUM_RQ_ABANDONED_RETRIES = envint("OFFICIUM_RQ_ABANDONED_RETRIES", 3)
if OFFICIUM_TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

NINJA_PAGINATION_PER_PAGE = 50

# SC2: /metrics answers only a request with "Authorization: Bearer <this>"; unset, it is a 404.
OFFICIUM_METRICS_TOKEN = optional_secret("OFFICIUM_METRICS_TOKEN")

# AC5: every handler scrubs personal values and truncates IPs when the policy's logs are not
# linked to a person; files live in VAR_DIR/logs and the retention job deletes old ones.
LOG_DIR = envstr("LOG_DIR", str(VAR_DIR / "logs"))
LOG_TO_FILES = envbool("LOG_TO_FILES", default=not TESTING)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"privacy": {"()": "officium.privacy.logs.PrivacyFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["privacy"]},
        **({"file": {"()": "officium.privacy.logs.PolicyFileHandler", "formatter": "plain",
                     "filters": ["privacy"]}} if LOG_TO_FILES else {}),
    },
    "root": {"handlers": ["console", *(["file"] if LOG_TO_FILES else [])],
             "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The vault's key management: a dotted path to a factory returning a KeyManagementService
# (default: LocalKMS over OFFICIUM_MASTER_KEY). During a master-key rotation, put the old
# keys in OFFICIUM_RETIRED_MASTER_KEYS (comma-separated) and run `officium keys rewrap`.
VAULT_KMS = envstr("VAULT_KMS", "officium.privacy.vault.keys.local_kms")
OFFICIUM_RETIRED_MASTER_KEYS = envlist("OFFICIUM_RETIRED_MASTER_KEYS", [])
VAULT_SHRED_LEDGER = envstr("VAULT_SHRED_LEDGER", "")

# SE4: signed checkpoints of the audit log's head, outside the database (back this file up
# apart from the database); the worker extends them this often, so a cut can hide no more.
AUDIT_CHECKPOINT_FILE = Path(envstr("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit-checkpoints.jsonl")))
AUDIT_CHECKPOINT_SECONDS = envint("AUDIT_CHECKPOINT_SECONDS", 60)

# The erasure ledger (people erased; ids only), beside the shred ledger: default VAR_DIR/keystore.
VAULT_ERASURE_LEDGER = envstr("VAULT_ERASURE_LEDGER", "")

# Hot paths that lean on private Django and gunicorn internals (docs/hot-paths.md names the
# benchmark behind each). Each can be switched off, falling back to the plain public path, if
# an upgrade breaks it before tests/test_hot_paths.py is fixed: statements compiled once per
# connection (db.Prepared / PreparedInsert), the audit chain's tail held for a transaction
# (read from Django's on_commit list), portal chunks read from gunicorn's socket, imported
# files read from the http.client response under urllib3's.
OFFICIUM_PREPARED_STATEMENTS = envbool("OFFICIUM_PREPARED_STATEMENTS", True)
OFFICIUM_AUDIT_HELD_TAIL = envbool("OFFICIUM_AUDIT_HELD_TAIL", True)
OFFICIUM_PORTAL_SOCKET_READS = envbool("OFFICIUM_PORTAL_SOCKET_READS", True)
OFFICIUM_PORTAL_IMPORT_DIRECT_READS = envbool("OFFICIUM_PORTAL_IMPORT_DIRECT_READS", True)
# A server process copies SQLite's write-ahead log back from a thread of its own, not in the
# commit that fills it (officium/sqlite_checkpoints.py).
OFFICIUM_SQLITE_CHECKPOINTS = envbool("OFFICIUM_SQLITE_CHECKPOINTS", True)

# PF4: imports fetch from servers people name. Loopback and private addresses are refused
# (no reaching into the operator's network) unless allowed here: for tests and a demo on one
# machine, or a deployment whose Nextcloud sits beside it.
OFFICIUM_PORTAL_IMPORT_PRIVATE_HOSTS = envbool("OFFICIUM_PORTAL_IMPORT_PRIVATE_HOSTS",
                                               default=TESTING or DEBUG)
# A file of an import must arrive within this many seconds (a server dripping bytes is cut
# off), and one import brings in at most this many bytes; past either it fails, keeping nothing.
OFFICIUM_PORTAL_IMPORT_FILE_SECONDS = envint("OFFICIUM_PORTAL_IMPORT_FILE_SECONDS", 3600)
OFFICIUM_PORTAL_IMPORT_MAX_BYTES = envint("OFFICIUM_PORTAL_IMPORT_MAX_BYTES", 100 * 10**9)

# Engine tunables (issue 13: the environment is read here and in env.py only; the engine and
# the outbox read these through django.conf.settings).
OFFICIUM_POLICY_DIR = envstr("OFFICIUM_POLICY_DIR", "")  # empty: the checkout's policies/
OFFICIUM_RETENTION_CHUNK = envint("OFFICIUM_RETENTION_CHUNK", 5000)  # rows per sweep chunk
OFFICIUM_RIGHTS_LEASE_SECONDS = envint("OFFICIUM_RIGHTS_LEASE_SECONDS", 600)
OFFICIUM_RIGHTS_MAX_ATTEMPTS = envint("OFFICIUM_RIGHTS_MAX_ATTEMPTS", 5)
OFFICIUM_RIGHTS_RETRY_SECONDS = envint("OFFICIUM_RIGHTS_RETRY_SECONDS", 60)
OFFICIUM_RIGHTS_EXPORT_DAYS = envint("OFFICIUM_RIGHTS_EXPORT_DAYS", 7)
OFFICIUM_RIGHTS_REAUTH_MINUTES = envint("OFFICIUM_RIGHTS_REAUTH_MINUTES", 10)
OFFICIUM_RIGHTS_CODES_PER_HOUR = envint("OFFICIUM_RIGHTS_CODES_PER_HOUR", 3)
OFFICIUM_RIGHTS_REMIND_DAYS = envint("OFFICIUM_RIGHTS_REMIND_DAYS", 7)
OFFICIUM_MAIL_MAX_ATTEMPTS = envint("OFFICIUM_MAIL_MAX_ATTEMPTS", 8)
OFFICIUM_MAIL_BACKOFF_SECONDS = envint("OFFICIUM_MAIL_BACKOFF_SECONDS", 60)
OFFICIUM_PASSWORD_RESETS_PER_HOUR = envint("OFFICIUM_PASSWORD_RESETS_PER_HOUR", 3)
# Crash-test hooks only (tests/privacy/*/test_*crash*.py start a worker with these set):
# pause after each committed retention chunk; stop an erasure/export at a named point.
OFFICIUM_RETENTION_CHUNK_PAUSE = float(envstr("OFFICIUM_RETENTION_CHUNK_PAUSE", "0") or 0)
OFFICIUM_RIGHTS_CRASH_AT = envstr("OFFICIUM_RIGHTS_CRASH_AT", "")
OFFICIUM_RIGHTS_CRASH_MARKER = envstr("OFFICIUM_RIGHTS_CRASH_MARKER", "")
OFFICIUM_RIGHTS_CRASH_SLEEP = float(envstr("OFFICIUM_RIGHTS_CRASH_SLEEP", "60") or 60)

# BI2/SE2: card payments through a provider seam (billing/providers/). ``stripe`` (Stripe's API,
# the production default when STRIPE_SECRET_KEY is set) or ``standin`` (a local stand-in of
# Stripe's API and of Stripe.js at OFFICIUM_PAYMENT_API_BASE, for tests and `officium demo`
# only). The provider's origins enter the CSP on the card page only.
OFFICIUM_PAYMENT_PROVIDER = envstr("OFFICIUM_PAYMENT_PROVIDER", "stripe")
if OFFICIUM_PAYMENT_PROVIDER not in {"stripe", "standin"}:
    raise ValueError(f"OFFICIUM_PAYMENT_PROVIDER must be stripe or standin, got {OFFICIUM_PAYMENT_PROVIDER!r}")
if PRODUCTION and OFFICIUM_PAYMENT_PROVIDER == "standin":
    raise ValueError("OFFICIUM_PAYMENT_PROVIDER=standin is a test stand-in: not in production.")
OFFICIUM_PAYMENT_API_BASE = envstr("OFFICIUM_PAYMENT_API_BASE", "")
STRIPE_SECRET_KEY = optional_secret("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = envstr("STRIPE_PUBLISHABLE_KEY", "")
OFFICIUM_PAYMENT_WEBHOOK_SECRET = optional_secret("STRIPE_WEBHOOK_SECRET")
# BI3: tax rate on invoices (percent), failed payments retried after these days (a reminder
# each time), then after the grace period the organization falls back to the free plan.
OFFICIUM_BILLING_TAX_RATE = envstr("OFFICIUM_BILLING_TAX_RATE", "19.00")
OFFICIUM_BILLING_RETRY_DAYS = [int(d) for d in envlist("OFFICIUM_BILLING_RETRY_DAYS", ["1", "3", "7"])]
OFFICIUM_BILLING_GRACE_DAYS = envint("OFFICIUM_BILLING_GRACE_DAYS", 14)
OFFICIUM_BILLING_ISSUER = envstr("OFFICIUM_BILLING_ISSUER", "Officium operator")
# AC6: API calls are counted in each process's memory and written in one statement per
# organization and day at most this often (and by the worker's usage job).
OFFICIUM_USAGE_FLUSH_SECONDS = envint("OFFICIUM_USAGE_FLUSH_SECONDS", 10)
