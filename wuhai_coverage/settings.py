"""Settings for the Wuhai coverage portal: one file, driven by the environment.

With nothing set: SQLite under var/, Celery tasks run in-process, DEBUG on.
DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from wuhai_coverage import config as _config
from wuhai_coverage.config import (
    broker_url,
    cache_config,
    database_config,
    env_bool,
    env_int,
    env_list,
    env_networks,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WUHAI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Parsed first so that a malformed URL is the error reported, whatever else is missing.
DATABASES = {"default": database_config(str(VAR_DIR / "wuhai_coverage.sqlite3"))}
_BROKER_URL = broker_url()
# One cache for every process (gunicorn workers, Celery worker and beat): the assessment's
# counts computed by the 02:30 warm-up must be the ones the next page view finds.
CACHES = {"default": cache_config(str(VAR_DIR / "cache"))}

DEBUG = env_bool("DJANGO_DEBUG", default=not os.environ.get("DATABASE_URL"))
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-wuhai-coverage-portal-not-for-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies (addresses or networks) whose X-Forwarded-For / -Proto are believed;
# empty by default: the headers are then dropped (core/http.py) and REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_networks("DJANGO_TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "wuhai_coverage.core",
    "wuhai_coverage.demodata",
    "wuhai_coverage.outbox",
    "enrollment",
    "enforcement",
    "outreach",
    "assessment",
]

MIDDLEWARE = [
    "wuhai_coverage.core.http.ForwardedHeadersMiddleware",  # first: before anything reads X-Forwarded-*
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wuhai_coverage.core.middleware.ChineseFirstLocaleMiddleware",  # pages ignore Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wuhai_coverage.core.middleware.NoStoreMiddleware",  # no-store on every page, API answer and file
    "wuhai_coverage.core.middleware.PartnerApiOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "wuhai_coverage.urls"
WSGI_APPLICATION = "wuhai_coverage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wuhai_coverage.core.context_processors.capabilities",
            ],
        },
    }
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Django's four validators, for every password set through a form or `create_user`.
# Twelve characters at least: these accounts reach a whole city's ID numbers.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "first_name", "last_name", "email")},
    },
    {
        "NAME": "wuhai_coverage.core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): failures are counted per (username, client IP) pair, so
# an attacker guessing from one address locks only that pair — not every colleague behind
# the same office NAT, and not the account itself for its owner elsewhere. After
# LOGIN_FAILURE_LIMIT failures the pair is locked for LOGIN_LOCKOUT_MINUTES (each further
# attempt restarts the period); a success resets the count. A city manager unlocks at
# /accounts/lockouts/ or with `manage.py axes_reset_username USERNAME`. The client IP is
# core.http.client_ip: REMOTE_ADDR, or X-Forwarded-For from a trusted proxy only.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "wuhai_coverage.core.views.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "wuhai_coverage.core.http.client_ip"
AXES_VERBOSE = False
# A form refused for its CSRF token answers the portal's own 403 page, in Chinese.
CSRF_FAILURE_VIEW = "wuhai_coverage.core.views.csrf_failure"

# Sessions end after SESSION_IDLE_MINUTES without a request (every request moves the
# expiry on) and when the browser closes (the cookie has no expiry date).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# API keys (core.ApiToken): stored as SHA-256 digests, valid API_TOKEN_DAYS after issue.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 365, minimum=1)

# Simplified Chinese first, English second; Asia/Shanghai everywhere.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A browser's Accept-Language is not a choice: English only through the language switch
# (its cookie, set by /i18n/setlang/) — core.middleware.ChineseFirstLocaleMiddleware. The
# API still honours Accept-Language: a program sends it only to ask for a language.
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static assets are served by the portal itself (the intranet has no internet).
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
# Uploaded and generated files: private (no URL maps to MEDIA_ROOT), random names.
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "wuhai_coverage.core.storage.PrivateFileStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Partner rosters: the largest file accepted (bytes). Default 512 MiB.
ROSTER_MAX_BYTES = env_int("ROSTER_MAX_BYTES", 512 * 1024 * 1024, minimum=1)
# The largest evidence file (PDF/JPEG/PNG/XLSX) attached to an enforcement case.
CASE_ATTACHMENT_MAX_BYTES = env_int("CASE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
# An XLSX sheet is refused when its cells, or the rectangle from A1 to its farthest cell
# (declared or real), exceed this many: 1,048,576 rows × 40 columns is the largest roster.
ROSTER_MAX_CELLS = env_int("ROSTER_MAX_CELLS", 50_000_000, minimum=1)
# … or when it (or a CSV header) has more columns than this: a roster has fewer than 40.
ROSTER_MAX_COLUMNS = env_int("ROSTER_MAX_COLUMNS", 200, minimum=1)
# Without a broker (the embedded default) files up to this size are processed inline (201);
# with one every file goes to a worker (202).
ROSTER_INLINE_MAX_BYTES = env_int("ROSTER_INLINE_MAX_BYTES", 2 * 1024 * 1024, minimum=0)
# How long loaded snapshots are kept before the retention job drops their rows.
ROSTER_RETENTION_DAYS = env_int("ROSTER_RETENTION_DAYS", 400, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "wuhai_coverage.core.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "wuhai_coverage.core.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    # JSON bodies only (another Content-Type: 415); the roster push names its multipart parser.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Documents every operation's error answers in the handler's shapes (core/schema.py).
    "DEFAULT_SCHEMA_CLASS": "wuhai_coverage.core.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "wuhai_coverage.core.api.exception_handler",
    # Per client IP for anonymous callers, per user otherwise; a bad token counts against
    # `token_failure` (per IP) before any view runs, so guessing keys is throttled too.
    "DEFAULT_THROTTLE_CLASSES": [
        "wuhai_coverage.core.tokens.AnonThrottle",
        "wuhai_coverage.core.tokens.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _config.env_rate("API_THROTTLE_ANON", "60/min"),
        "user": _config.env_rate("API_THROTTLE_USER", "1200/min"),
        "token_failure": _config.env_rate("API_THROTTLE_TOKEN_FAILURE", "10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "乌海市全民参保扩面征缴平台 API / Wuhai coverage portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BlacklistStatusEnum": "enforcement.models.BlacklistEntry.Status",
        "BlacklistMeasureEnum": "enforcement.blacklist.vocabulary.Measure",
        "ConfirmationEnum": [(True, True)],  # core.api.ConfirmationField: a confirmation that must be true
    },
}

# Celery: with no broker configured, tasks run in-process (eager) — the embedded default.
# With one, every task that must not be lost goes through the transactional outbox
# (wuhai_coverage/outbox/services.py) and these settings make a broker or worker failure
# cost a retry, never a lost or half-done batch or run (docs/architecture.md → Faults).
CELERY_BROKER_URL = _BROKER_URL
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
# A message is acknowledged when its task ends, and given back when the process running it
# dies (SIGKILL, OOM): a batch is then retried up to enrollment.services.MAX_ATTEMPTS times.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Queues: a roster push loads on `roster`, the comparison's runs, parts and write on
# `comparison`, everything else on `celery`. A worker started without -Q consumes all three
# (CELERY_TASK_QUEUES); a deployment may give each its own workers (docs/scaling.md → Fan-out).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = tuple(Queue(name, routing_key=name) for name in ("celery", "roster", "comparison"))
CELERY_TASK_ROUTES = {
    "enrollment.tasks.roster_process_task": {"queue": "roster"},
    "enforcement.tasks.comparison_nightly_task": {"queue": "comparison"},
    "enforcement.tasks.comparison_run_task": {"queue": "comparison"},
    "enforcement.tasks.comparison_part_task": {"queue": "comparison"},
    "enforcement.tasks.comparison_apply_task": {"queue": "comparison"},
}
# The comparison split into part tasks on every worker of the `comparison` queue (facts per
# subject, candidates per rule), written in one transaction: "1"/"0"; unset = on with
# PostgreSQL and a broker, off for the demo (SQLite, eager). enforcement/comparison/engine.py.
COMPARISON_FANOUT = {"1": True, "0": False}.get(os.environ.get("COMPARISON_FANOUT", "").strip())
# Redis redelivers an unacknowledged message after visibility_timeout: it must exceed the
# longest task (a 10x comparison, a 24M-row roster) and the longest retry countdown.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 4 * 3600, minimum=600)
# Publishing with the broker down must not hold a request: ~1 s to connect, one retry.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "retry_on_timeout": False,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.2,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# The worker and beat wait for a broker that is down as long as it takes (never give up).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# The outbox: beat sends what the broker missed every OUTBOX_FLUSH_SECONDS; a message sent
# but never started after OUTBOX_RESEND_AFTER_SECONDS (lost by the broker) is sent again.
OUTBOX_FLUSH_SECONDS = env_int("OUTBOX_FLUSH_SECONDS", 60, minimum=1)
OUTBOX_RESEND_AFTER_SECONDS = env_int("OUTBOX_RESEND_AFTER_SECONDS", 3600, minimum=60)
# Sweeps: batches and runs whose worker died are retried or marked failed (minutes).
FAULT_SWEEP_SECONDS = env_int("FAULT_SWEEP_SECONDS", 300, minimum=1)
# Address-space limit (bytes) of a worker process while it reads a roster; 0 = none.
ROSTER_WORKER_MEMORY_LIMIT = env_int("ROSTER_WORKER_MEMORY_LIMIT", 0, minimum=0)
# The credit blacklist's periods (enforcement/blacklist/parameters.py).
BLACKLIST_STATEMENT_WORKING_DAYS = env_int("BLACKLIST_STATEMENT_WORKING_DAYS", 5, minimum=1)
BLACKLIST_LISTING_YEARS = env_int("BLACKLIST_LISTING_YEARS", 3, minimum=1)
BLACKLIST_REPAIR_AFTER_YEARS = env_int("BLACKLIST_REPAIR_AFTER_YEARS", 1, minimum=0)
# SMS pushes (outreach/sms): the gateway (file: JSON lines under var/sms/, console: the
# log, masked; http: the provider below), messages per second at most, tries per message
# (exponential backoff from the base delay), and the receipt endpoint's shared secret
# (header X-Wuhai-Sms-Secret; unset: every receipt is refused).
WUHAI_SMS_GATEWAY = os.environ.get("WUHAI_SMS_GATEWAY", "file").strip() or "file"
if WUHAI_SMS_GATEWAY not in ("file", "console", "http"):
    raise ImproperlyConfigured(f"WUHAI_SMS_GATEWAY={WUHAI_SMS_GATEWAY!r}: use file, console or http")
WUHAI_SMS_RATE_PER_SECOND = env_int("WUHAI_SMS_RATE_PER_SECOND", 100, minimum=1)
WUHAI_SMS_MAX_ATTEMPTS = env_int("WUHAI_SMS_MAX_ATTEMPTS", 4, minimum=1)
WUHAI_SMS_BACKOFF_MS = env_int("WUHAI_SMS_BACKOFF_MS", 500, minimum=0)
WUHAI_SMS_HTTP_URL = os.environ.get("WUHAI_SMS_HTTP_URL", "").strip()
WUHAI_SMS_HTTP_KEY = os.environ.get("WUHAI_SMS_HTTP_KEY", "").strip()
WUHAI_SMS_HTTP_TIMEOUT_MS = env_int("WUHAI_SMS_HTTP_TIMEOUT_MS", 5000, minimum=1)
if WUHAI_SMS_GATEWAY == "http" and not WUHAI_SMS_HTTP_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("WUHAI_SMS_GATEWAY=http needs WUHAI_SMS_HTTP_URL (http:// or https://)")
WUHAI_SMS_RECEIPT_SECRET = os.environ.get("WUHAI_SMS_RECEIPT_SECRET", "").strip()
# The office phone put in {电话}: per district (150302=0473-3995012,…), else the city's.
WUHAI_SMS_CITY_PHONE = os.environ.get("WUHAI_SMS_CITY_PHONE", "0473-12333").strip()
WUHAI_SMS_OFFICE_PHONES = dict(
    item.split("=", 1) for item in env_list("WUHAI_SMS_OFFICE_PHONES", []) if "=" in item
)
# ONE beat process per installation (README → Running it for real): a second one would
# start every job twice. The jobs are safe to repeat, and the beat takes a PostgreSQL
# advisory lock at start-up (wuhai_coverage/celery.py) so a second beat waits.
CELERY_BEAT_SCHEDULE = {
    "outbox-flush": {
        "task": "wuhai_coverage.outbox.tasks.outbox_flush_task",
        "schedule": float(OUTBOX_FLUSH_SECONDS),
    },
    "roster-sweep": {  # batches whose worker died: retried, or failed after MAX_ATTEMPTS
        "task": "enrollment.tasks.roster_sweep_task",
        "schedule": float(FAULT_SWEEP_SECONDS),
    },
    "comparison-sweep": {  # runs whose worker died: failed
        "task": "enforcement.tasks.comparison_sweep_task",
        "schedule": float(FAULT_SWEEP_SECONDS),
    },
    "nightly-comparison": {
        "task": "enforcement.tasks.comparison_nightly_task",
        "schedule": crontab(hour=2, minute=0),
    },
    "roster-retention": {
        "task": "enrollment.tasks.roster_retention_task",
        "schedule": crontab(hour=3, minute=30),
    },
    "ranking-warm-up": {  # after the 02:00 comparison: the day's first ranking view is warm
        "task": "assessment.tasks.ranking_warm_up_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "monthly-indicator-snapshots": {
        "task": "assessment.tasks.indicator_snapshot_monthly_task",
        "schedule": crontab(day_of_month=1, hour=4, minute=0),
    },
    "blacklist-nightly": {  # listing periods ended (removed), statement periods passed (to review)
        "task": "enforcement.blacklist.tasks.blacklist_nightly_task",
        "schedule": crontab(hour=1, minute=10),
    },
    "case-deadlines": {  # orders past their deadline unrectified → the "ready to propose" list
        "task": "enforcement.cases.tasks.case_deadlines_task",
        "schedule": crontab(hour=1, minute=30),
    },
    "nightly-registry-refresh": {  # after the 02:00 comparison: employers, persons, enrollments
        "task": "enrollment.tasks.registry_refresh_task",
        "schedule": crontab(hour=2, minute=45),
    },
}

# Headers sent with DEBUG on or off: no framing, no referrer to other sites, a browsing
# context group of our own, no MIME sniffing.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): no inline script, no inline style, nothing from
# another origin. Page behaviour lives in static/js/portal.js; the API docs use the
# Swagger UI view whose init script is a separate file (urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Production hardening (check --deploy): on whenever DEBUG is off.
if not DEBUG:
    # X-Forwarded-Proto decides "is this https?" only behind a configured trusted proxy
    # (whose own header is the only one that survives ForwardedHeadersMiddleware).
    if TRUSTED_PROXIES:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading is a promise to browser vendors that is slow to undo: opt in only.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]  # preload is off on purpose (above)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line through privacy.redact: no ID number or mobile number in a log (tests/core/test_privacy.py).
    "formatters": {
        "plain": {
            "()": "wuhai_coverage.core.privacy.RedactingFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Demo data, loaded by `manage.py load_demo_data` (scripts/run.sh): each app's loader in order.
DEMO_DATA_LOADERS = [
    "enrollment.demo.load_demo_rosters",
    "enforcement.demo.run_demo_comparison",
    "enforcement.workdays.loader.load_demo_holidays",
    "assessment.demo.load_demo_assessment",
    "enrollment.registry.load_demo_registry",
    "enforcement.demo.load_demo_cases",  # needs the registry's employers and the holidays
]
