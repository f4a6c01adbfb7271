"""Settings for factcheck, driven by environment variables.

One module for every environment: the demo, the test suite and production differ
only in what the environment says. See the README for the full list.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from factcheck.cache import redis_cache

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    truthy = {"1", "true", "yes", "on"}
    falsy = {"0", "false", "no", "off"}
    lowered = value.strip().lower()
    if lowered in truthy:
        return True
    if lowered in falsy:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(truthy | falsy)}, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Only reachable with DEBUG on: a fixed key keeps demo sessions valid across restarts.
    SECRET_KEY = "django-insecure-factcheck-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "claims.apps.DeskAdminConfig",  # django.contrib.admin with the desk home
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_api_key",
    "corsheaders",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "admin_auto_filters",
    "axes",
    # Background jobs (imports, webhook delivery): Django's task framework (backport) with
    # a queue kept in the database, so the demo and production need no new service.
    "django_tasks",
    "django_tasks_db",
    "sources",
    "claims",
    "integrations",
]

MIDDLEWARE = [
    # First: a request id for the response and every log line (factcheck.logs).
    "factcheck.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Public GETs may read from replicas (factcheck.routers); everything else uses the primary.
    "factcheck.middleware.ReplicaReadsMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # An anonymous conditional GET of the public API whose ETag still matches: 304 after one
    # query, before sessions, authentication and the view (factcheck.api.revalidation).
    "factcheck.api.revalidation.RevalidationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every GET response, and 304 for a matching If-None-Match / If-Modified-Since.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # 400 for input nothing can read (NUL bytes, over-long login names); JSON 404s under /api/.
    "factcheck.middleware.InputGuardMiddleware",
    # django.contrib.messages' middleware, skipped by the API (factcheck.middleware).
    "factcheck.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "factcheck.middleware.ContentSecurityPolicyMiddleware",
    # Records request.user as the author of every history row written by a request.
    "factcheck.middleware.HistoryUserMiddleware",
    # Last, as django-axes requires: refuses logins locked out after repeated failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

WSGI_APPLICATION = "factcheck.wsgi.application"
ASGI_APPLICATION = "factcheck.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    ),
}

# Prepared statements (factcheck.prepared; README: Production): a statement a connection
# has run this many times is planned once for it. "off" where server sessions are not kept
# for a client (PgBouncer in transaction mode before 1.21).
def _prepare_threshold(raw: str) -> int | None:
    if raw.strip().lower() == "off":
        return None
    if not raw.strip().isdigit():
        raise ImproperlyConfigured(f'DATABASE_PREPARE_THRESHOLD must be a whole number or "off", not {raw!r}.')
    return int(raw)


PREPARE_THRESHOLD = _prepare_threshold(os.environ.get("DATABASE_PREPARE_THRESHOLD", "5"))

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A primary that does not answer (hung, failing over) is a 503 after this many seconds,
    # not a request held until the app server's own timeout kills the worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )
    # Django's own cursors prepare nothing unless they also send parameters separately
    # (server-side binding, off by default: every ORM statement would then be planned for
    # any values after five runs).
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = PREPARE_THRESHOLD
    if os.environ.get("DATABASE_SERVER_SIDE_BINDING") == "1":
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True

# Read replicas (PostgreSQL streaming replicas of the primary): public API and page reads
# go to them, everything else to the primary (factcheck.routers). Comma-separated URLs.
FACTCHECK_READ_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    replica = dj_database_url.parse(url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True)
    if replica["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable replica must not hold a request for long before the primary answers.
        replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
        replica["OPTIONS"]["prepare_threshold"] = PREPARE_THRESHOLD
    DATABASES[f"replica{number}"] = replica
    FACTCHECK_READ_REPLICAS.append(f"replica{number}")
DATABASE_ROUTERS = ["factcheck.routers.ReadReplicaRouter"]
# How long an unreachable replica is left alone before it is tried again.
FACTCHECK_REPLICA_RETRY_SECONDS = int(os.environ.get("FACTCHECK_REPLICA_RETRY_SECONDS", "30"))

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so concurrent writers queue up
    # instead of failing half-way with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Counts failed logins and refuses them once locked out (see AXES_* below).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

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
STATIC_ROOT = BASE_DIR / "staticfiles"

# Uploaded files: ClaimReview uploads wait here between the admin's dry run and the
# confirmed import. Every app server must see the same folder (or point STORAGES at
# shared storage).
MEDIA_ROOT = Path(os.environ.get("FACTCHECK_MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Other fact-checkers' rating labels and the desk's rating (slug) each one means, as a JSON
# object: {"Engañoso": "mostly-false"}. Added to the built-in list (claims.ratingmap).
try:
    FACTCHECK_RATING_ALIASES = json.loads(os.environ.get("FACTCHECK_RATING_ALIASES") or "{}")
except json.JSONDecodeError as error:
    raise ImproperlyConfigured(f"FACTCHECK_RATING_ALIASES is not valid JSON: {error}") from error
if not isinstance(FACTCHECK_RATING_ALIASES, dict) or not all(
    isinstance(key, str) and isinstance(value, str) for key, value in FACTCHECK_RATING_ALIASES.items()
):
    raise ImproperlyConfigured('FACTCHECK_RATING_ALIASES must be a JSON object of label → slug: {"Engañoso": "false"}.')

# The admin refuses a ClaimReview upload larger than this; use the command for bigger ones.
FACTCHECK_IMPORT_MAX_BYTES = int(os.environ.get("FACTCHECK_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))

# Background jobs wait in the database until `manage.py db_worker` runs them (README:
# Production). More workers, on any machine that reaches the database, run more at once.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Caching: a shared Redis when REDIS_URL is set (throttling counters must be shared by all
# app servers), otherwise memory local to each process.
# A Redis that is down or hung costs a request at most one short timeout: the cache then
# uses local memory for FACTCHECK_CACHE_RETRY_SECONDS (factcheck.cache; README: failure modes).
FACTCHECK_CACHE_RETRY_SECONDS = float(os.environ.get("FACTCHECK_CACHE_RETRY_SECONDS", "10"))
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": redis_cache(
            os.environ["REDIS_URL"], timeout=float(os.environ.get("FACTCHECK_REDIS_TIMEOUT", "0.25"))
        )
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Trusted proxies in front of the app (load balancer, CDN edge): the client address is the
# right-most X-Forwarded-For entry they did not write (factcheck.clientip). It decides the
# login lockout, the API throttle and the address in the logs alike.
FACTCHECK_NUM_PROXIES = int(os.environ.get("FACTCHECK_NUM_PROXIES") or 0)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # What each reads (a header, a cookie) is what makes a request anonymous or not
    # (factcheck.api.credentials): one that reads something else must be named there too.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "integrations.apikeys.APIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["factcheck.api.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "factcheck.api.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "factcheck.api.throttling.AnonRateThrottle",
        # Each API key's own limit (set per key in the admin).
        "integrations.apikeys.APIKeyRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("FACTCHECK_API_ANON_RATE", "600/minute")},
    "NUM_PROXIES": FACTCHECK_NUM_PROXIES or None,
    "EXCEPTION_HANDLER": "factcheck.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "factcheck API",
    "DESCRIPTION": (
        "Published fact-checks for newsroom tools: claims, verdicts, speakers, sources, publishers, topics "
        "and the rating scale, plus schema.org ClaimReview. Read-only. Anonymous callers see published "
        "material only; desk members with a token may ask for internal states. Lists use cursor "
        "pagination; every response carries an ETag and answers conditional requests with 304."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VerdictStatusEnum": "claims.choices.VerdictStatus",
        "SourceKindEnum": "sources.choices.SourceKind",
        "SpeakerKindEnum": "claims.choices.SpeakerKind",
        "StanceEnum": "claims.choices.Stance",
    },
}

# Public API responses may be cached this long by browsers and CDNs.
FACTCHECK_API_CACHE_SECONDS = int(os.environ.get("FACTCHECK_API_CACHE_SECONDS", "60"))
# Each process keeps the public API responses it built for the public record's current
# version, by ETag, within this many bytes (factcheck.api.response_cache); 0 turns it off.
FACTCHECK_API_RESPONSE_CACHE_BYTES = int(os.environ.get("FACTCHECK_API_RESPONSE_CACHE_BYTES", str(32 * 2**20)))
# Part of every public API ETag (factcheck.api.revalidation): set it per deploy (a commit id);
# empty, a digest of the code that shapes public output is used.
FACTCHECK_RELEASE = os.environ.get("FACTCHECK_RELEASE", "")
# Each process hears the public record's version from PostgreSQL (LISTEN/NOTIFY, one extra
# connection per process) instead of reading it per conditional GET (claims.public_version).
# LISTEN needs a session of its own: behind PgBouncer in transaction mode, point
# FACTCHECK_PUBLIC_VERSION_LISTEN_URL at the server itself (or set LISTEN to 0).
FACTCHECK_PUBLIC_VERSION_LISTEN = os.environ.get("FACTCHECK_PUBLIC_VERSION_LISTEN", "1") == "1"
FACTCHECK_PUBLIC_VERSION_LISTEN_URL = os.environ.get("FACTCHECK_PUBLIC_VERSION_LISTEN_URL", "")

# Browser-based newsroom tools allowed to call the API (comma-separated origins).
CORS_ALLOWED_ORIGINS = env_list("FACTCHECK_CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "X-Request-ID"]

# The desk that publishes these fact-checks; used as ClaimReview author and in the API.
FACTCHECK_DESK_NAME = os.environ.get("FACTCHECK_DESK_NAME", "factcheck demo desk")
FACTCHECK_DESK_URL = os.environ.get("FACTCHECK_DESK_URL", "http://127.0.0.1:8000/")

# Demo data built from the two seed articles: `manage.py loaddata demo`.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Webhooks (README: Webhooks): a failed delivery is tried again after BASE seconds, doubling
# up to MAX, for WINDOW seconds after the event, then marked failed. Receivers on private,
# loopback or link-local addresses are refused unless ALLOW_PRIVATE is on.
FACTCHECK_WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("FACTCHECK_WEBHOOK_RETRY_BASE_SECONDS", "5"))
FACTCHECK_WEBHOOK_RETRY_MAX_SECONDS = float(os.environ.get("FACTCHECK_WEBHOOK_RETRY_MAX_SECONDS", "3600"))
FACTCHECK_WEBHOOK_RETRY_WINDOW_SECONDS = float(os.environ.get("FACTCHECK_WEBHOOK_RETRY_WINDOW_SECONDS", str(24 * 3600)))
FACTCHECK_WEBHOOK_ALLOW_PRIVATE = env_bool("FACTCHECK_WEBHOOK_ALLOW_PRIVATE", default=False)

# Four-eyes rule: a verdict is published by an editor other than its author. A desk of
# one can turn it off.
FACTCHECK_REQUIRE_SECOND_PERSON = env_bool("FACTCHECK_REQUIRE_SECOND_PERSON", default=True)
# Pieces of evidence a verdict needs before its reviewer can submit it.
FACTCHECK_SUBMIT_MIN_EVIDENCE = int(os.environ.get("FACTCHECK_SUBMIT_MIN_EVIDENCE", "1"))


# Security ------------------------------------------------------------------------------
# Production is served over HTTPS only; DJANGO_HTTPS=0 is for the demo and the test suite,
# which speak plain HTTP on localhost.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and env_bool("DJANGO_SSL_REDIRECT", default=True)
# Behind a load balancer that terminates TLS and sets X-Forwarded-Proto (and strips it
# from clients' requests): the only way to know a request came in over HTTPS.
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS") or (31_536_000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response. No inline or third-party scripts anywhere
# (admin, API docs, public pages); inline styles are allowed for the admin's and the API
# docs' style attributes (rating colours, Swagger UI). Redoc runs its search in a worker.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Admin login: after AXES_FAILURE_LIMIT failed attempts for one username from one address,
# that pair is locked out for AXES_COOLOFF_TIME hours (a correct password does not help).
# Locking the pair rather than the username alone stops guessing without letting a
# stranger lock an editor out from everywhere. `manage.py axes_reset_username NAME` unlocks.
AXES_FAILURE_LIMIT = int(os.environ.get("FACTCHECK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("FACTCHECK_LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The client address, as the throttle and the logs see it (never a forgeable left-most hop).
AXES_CLIENT_IP_CALLABLE = "factcheck.clientip.client_ip"


# Logs and error reports ----------------------------------------------------------------
# One JSON line per event on standard error (factcheck.logs): every 5xx with its request id,
# path and user id, and every request refused as abuse. Error reports by email go to
# DJANGO_ADMINS ("Name <address>, other@example.org") when it is set, sent through the
# DJANGO_EMAIL_* server below.
ADMINS = [
    (address.split("<")[0].strip() or address, address.split("<")[-1].rstrip(">").strip())
    for address in env_list("DJANGO_ADMINS")
]
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", "root@localhost")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
LOG_LEVEL = os.environ.get("FACTCHECK_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "factcheck.logs.RequestContextFilter"}},
    "formatters": {"json": {"()": "factcheck.logs.JsonFormatter"}},
    "handlers": {
        "json": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request"]},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR"},
    },
    "root": {"handlers": ["json"], "level": "WARNING"},
    "loggers": {
        # ERROR: the 5xx responses (4xx are the callers' business, logged only when refused as abuse).
        "django.request": {
            "handlers": ["json", *(["mail_admins"] if ADMINS else [])],
            "level": "ERROR",
            "propagate": False,
        },
        "django.security": {"handlers": ["json"], "level": "WARNING", "propagate": False},
        "factcheck": {"handlers": ["json"], "level": LOG_LEVEL, "propagate": False},
    },
}
