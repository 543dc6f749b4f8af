"""Settings, read from the environment.

Development needs no variables at all: SQLite in the project folder, DEBUG off
unless DJANGO_DEBUG=1. Production is DJANGO_ENV=production, which requires
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS and turns on the HTTPS settings
that `manage.py check --deploy` asks for.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development").strip().lower() == "production"
DEBUG = env_bool("DJANGO_DEBUG", False) and not PRODUCTION

if PRODUCTION:
    try:
        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
        ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    except KeyError as missing:
        raise ImproperlyConfigured(f"{missing} must be set when DJANGO_ENV=production") from None
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production")
else:
    # A development-only key: never used when DJANGO_ENV=production.
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-development-only-key")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "audit",
    "apitokens",
    "channels",
    "customers",
    "orders",
    "idempotency",
    "locations",
    "addresses",
    "events",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "omnitron.db_router.ReadYourWritesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "omnitron.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "omnitron.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "omnitron.wsgi.application"
ASGI_APPLICATION = "omnitron.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Streaming replicas of `default` (comma-separated URLs), as `replica_1`, `replica_2`,
# ...: API GETs read from them, with read-your-writes (omnitron/db_router.py). In
# tests they mirror the test database by name; only tests marked `replica` read them.
# Only a PostgreSQL primary has replicas (and WAL positions): with SQLite they are unused.
DATABASE_REPLICA_URLS = (
    env_list("DATABASE_REPLICA_URLS")
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else []
)
for number, url in enumerate(DATABASE_REPLICA_URLS, 1):
    DATABASES[f"replica_{number}"] = {
        **dj_database_url.parse(
            url,
            conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
OMNITRON_READ_REPLICAS = [alias for alias in DATABASES if alias.startswith("replica_")]
DATABASE_ROUTERS = ["omnitron.db_router.ReplicaRouter"]
# How long a caller reads from the primary after a write, at most (until a replica
# has replayed it); how far (bytes of WAL) a replica may lag before it is skipped,
# how often each process checks, and how long a replica that failed stays out.
OMNITRON_REPLICA_STICKY_SECONDS = env_int("OMNITRON_REPLICA_STICKY_SECONDS", 300)
OMNITRON_REPLICA_MAX_LAG_BYTES = env_int("OMNITRON_REPLICA_MAX_LAG_BYTES", 16 * 1024 * 1024)
OMNITRON_REPLICA_CHECK_SECONDS = float(os.environ.get("OMNITRON_REPLICA_CHECK_SECONDS", "5"))
OMNITRON_REPLICA_RETRY_SECONDS = float(os.environ.get("OMNITRON_REPLICA_RETRY_SECONDS", "30"))

# Seconds a list query found to match more than 10,000 rows keeps its (estimated)
# count in each process before it is counted again; 0: counted every time
# (omnitron/counting.py).
OMNITRON_OVER_LIMIT_COUNT_SECONDS = env_int("OMNITRON_OVER_LIMIT_COUNT_SECONDS", 60)

# Named, not left to the default: the token authentication fills ModelBackend's
# permission cache itself (apitokens/authentication.py), which holds for it alone.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Production serves collected, compressed files (`collectstatic`); development
# finds them in the apps.
WHITENOISE_USE_FINDERS = not PRODUCTION
if PRODUCTION:
    STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles"))
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apitokens.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["omnitron.permissions.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "omnitron.pagination.PageLimitPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["omnitron.json_renderer.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "omnitron.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "omnitron.schema.AutoSchema",
    "DEFAULT_METADATA_CLASS": "omnitron.metadata.ListMetadata",
    "EXCEPTION_HANDLER": "omnitron.exceptions.exception_handler",
    "PAGE_SIZE": 10,
    "UNAUTHENTICATED_USER": None,
}

# Caches: Redis when REDIS_URL names one, so that every process (the app
# server's workers, servers) shares what is counted in it; else each process's memory.
# `throttle` holds the counts of failed logins and bad tokens.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()


def cache_settings(prefix: str) -> dict:
    if REDIS_URL:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}


CACHES = {"default": cache_settings("omnitron"), "throttle": cache_settings("omnitron-throttle")}

# API tokens: seconds a token from login or create_api_user lasts (unset or 0:
# no expiry). Failed logins allowed per username and per client address in a
# window, and requests with a bad token per client address in theirs, before
# the answer is 429 (apitokens/throttling.py).
OMNITRON_TOKEN_TTL_SECONDS = env_int("OMNITRON_TOKEN_TTL_SECONDS", 0) or None
OMNITRON_LOGIN_FAILURES_PER_USERNAME = env_int("OMNITRON_LOGIN_FAILURES_PER_USERNAME", 10)
OMNITRON_LOGIN_FAILURES_PER_ADDRESS = env_int("OMNITRON_LOGIN_FAILURES_PER_ADDRESS", 30)
OMNITRON_LOGIN_FAILURE_WINDOW_SECONDS = env_int("OMNITRON_LOGIN_FAILURE_WINDOW_SECONDS", 900)
OMNITRON_BAD_TOKENS_PER_ADDRESS = env_int("OMNITRON_BAD_TOKENS_PER_ADDRESS", 60)
OMNITRON_BAD_TOKEN_WINDOW_SECONDS = env_int("OMNITRON_BAD_TOKEN_WINDOW_SECONDS", 60)

SPECTACULAR_SETTINGS = {
    "TITLE": "Omnitron Customers API",
    "DESCRIPTION": (
        "Customers of sales channels (marketplaces), as documented for Omnitron. "
        "Authenticate with `Authorization: Token <key>`; get a key from "
        "`POST /api/v1/auth/login/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "GenderEnum": "customers.models.Gender",
        "UserTypeEnum": "customers.models.UserType",
        "AuditActionEnum": "audit.models.Action",
        "AuditSourceEnum": "audit.models.Source",
    },
}

# PUT, PATCH and DELETE of customers and channels without If-Match: 428 (lost updates
# impossible) instead of proceeding unconditionally.
REQUIRE_IF_MATCH = env_bool("OMNITRON_REQUIRE_IF_MATCH", False)

# Change events and webhooks (the `events` app).
# The models whose changes make events, by model label: the resource name and the
# attribute path of the sales channel the event belongs to.
OMNITRON_EVENT_RESOURCES = {
    "customers.customer": {"resource": "customer", "channel": "channel_id"},
    "orders.order": {"resource": "order", "channel": "channel_id"},
    "addresses.address": {"resource": "address", "channel": "customer__channel_id"},
}
OMNITRON_EVENT_RETENTION_DAYS = int(os.environ.get("OMNITRON_EVENT_RETENTION_DAYS", "30"))
# Webhook targets on private, loopback or link-local addresses are refused unless this is on.
OMNITRON_WEBHOOK_ALLOW_PRIVATE = env_bool("OMNITRON_WEBHOOK_ALLOW_PRIVATE", False)
OMNITRON_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("OMNITRON_WEBHOOK_TIMEOUT_SECONDS", "10"))
# Seconds to wait after each failed attempt (Standard Webhooks' schedule, about 28 hours
# in all); after the last one the delivery is failed and its subscription turned off.
OMNITRON_WEBHOOK_RETRY_DELAYS = [
    int(seconds)
    for seconds in env_list("OMNITRON_WEBHOOK_RETRY_DELAYS", "5,300,1800,7200,18000,36000,36000")
]

# Celery: webhook deliveries and event purges run in `celery -A omnitron worker -B`.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
# The queue tasks go to and workers read; scripts/test.sh names one per test run,
# so two runs sharing a broker never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# Celery closes the worker's database connection around every task unless this
# is set; a new PostgreSQL backend per task cost a busy webhook worker a fifth of
# its time. Tasks reuse the connection as requests do instead: omnitron/celery.py
# closes it by Django's rules (DJANGO_CONN_MAX_AGE, an error on it), and Celery
# after this many tasks.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "1000"))
# A request that enqueues after its commit must not hang on a broker that is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # Retries that came due, and events whose enqueue was lost (the broker was down).
    "dispatch-webhooks": {
        "task": "events.tasks.dispatch_webhooks",
        "schedule": float(os.environ.get("OMNITRON_WEBHOOK_SWEEP_SECONDS", "5")),
    },
    "purge-events": {"task": "events.tasks.purge_events", "schedule": 3600.0},
    "purge-idempotency-keys": {
        "task": "idempotency.tasks.purge_idempotency_keys",
        "schedule": 3600.0,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Set where the app server is reachable through nginx alone (deploy/): the client's
# address then comes from nginx's X-Real-IP (omnitron/proxy.py).
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
