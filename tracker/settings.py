"""Settings for the bilateral agreement tracker.

Everything that differs between a laptop and a server comes from the environment
(or a ``.env`` file beside ``manage.py``): ``DATABASE_URL``, ``SECRET_KEY``, ``DEBUG``,
``ALLOWED_HOSTS``. The defaults are safe for local use: a SQLite file, ``DEBUG`` off,
and no secret key unless ``DEBUG`` is on.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from . import postgresql
from .replicas import databases as replicas
from .sqlite import DEFAULT_BUSY_TIMEOUT_S
from .sqlite import server_settings as sqlite_server_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# A development key is only acceptable while DEBUG is on; a server must bring its own.
_DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=true for local use).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "tracker.apps.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise serves the static files under runserver too, as gunicorn does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "agreements.apps.AgreementsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the security headers: no session, no database, no throttle.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "agreements.web.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "agreements.web.middleware.InterfaceMiddleware",
    "agreements.web.middleware.ApiNotFoundMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tracker" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agreements.views.following.following",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections with health checks: reopening a PostgreSQL connection per
# request costs more than most of our queries.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# SQLite serves many threads and processes at once: WAL, queued writers, statistics kept
# (tracker/sqlite/; what each setting means for a user: README, "Settings").
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"] = sqlite_server_settings(
        DATABASES["default"], busy_timeout_s=env.float("SQLITE_BUSY_TIMEOUT", default=DEFAULT_BUSY_TIMEOUT_S)
    )
# PostgreSQL: Django's backend whose health check asks the socket instead of the server
# (tracker/postgresql/: one round trip fewer per request).
elif postgresql.is_postgresql(DATABASES["default"]):
    DATABASES["default"] = postgresql.server_settings(DATABASES["default"])

# PostgreSQL read replicas (tracker/replicas; docs/operations.md, "Read replicas"): reads outside
# transactions may go to one; writes, transactions, locks and credentials go to the primary.
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
DATABASES.update(replicas.replica_databases(DATABASES["default"], DATABASE_REPLICA_URLS))
# After a write, that client's reads go to the primary for this long.
REPLICA_READ_YOUR_WRITES_SECONDS = env.float("REPLICA_READ_YOUR_WRITES_SECONDS", default=10.0)
# A replica further behind than this is skipped; its lag is measured at most this often per process.
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=2.0)
DATABASE_ROUTERS = [replicas.ROUTER] if len(DATABASES) > 1 else []
if DATABASE_ROUTERS:
    replicas.check_window(
        read_your_writes_s=REPLICA_READ_YOUR_WRITES_SECONDS,
        max_lag_s=REPLICA_MAX_LAG_SECONDS,
        check_s=REPLICA_CHECK_SECONDS,
    )
    # Before the sessions' middleware: every read of the request follows the routing it decides.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"), replicas.MIDDLEWARE
    )

# dumpdata/loaddata as an exact portable backup: the built-in json format drops microseconds.
SERIALIZATION_MODULES = {"json": "tracker.json_exact"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and sessions -------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username and address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Per username and address together, so nobody can lock another user out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "agreements.web.lockout.lockout_response"

# --- Who the client is: the number of proxies in front of us --------------------------------------

# How many proxies in front of the site append to X-Forwarded-For (0: none, the peer is the
# client). One number drives both the throttles' identity (DRF's NUM_PROXIES) and the address
# django-axes counts failed logins against (through django-ipware, as axes documents). With 0,
# X-Forwarded-For is ignored: anyone can write it.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)


def trusted_proxy_settings(count: int) -> dict[str, object]:
    """The settings that ``count`` trusted proxies imply for DRF and django-axes."""
    if count < 0:
        raise ImproperlyConfigured("TRUSTED_PROXIES is a number of proxies: 0 or more.")
    if count == 0:
        # X-Forwarded-For is ignored: the peer is the client.
        return {"NUM_PROXIES": 0, "AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",)}
    return {
        # DRF: the count-th address from the right of X-Forwarded-For (what the outermost
        # trusted proxy saw), whatever the client wrote to its left.
        "NUM_PROXIES": count,
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        # django-ipware counts the proxies listed *inside* the header (``client, proxy1, …``),
        # while the nearest proxy's own address is REMOTE_ADDR: N proxies in front leave N
        # entries, and the client's is ipware's chain[-(count + 1)] with count N - 1: the same
        # address DRF takes.
        "AXES_IPWARE_PROXY_COUNT": count - 1,
        "AXES_IPWARE_PROXY_ORDER": "left-most",
        # A header with more entries than proxies (the client wrote some) is expected, not a
        # reason to fall back to the proxy's own address.
        "IPWARE_STRICT": False,
    }


_PROXIES = trusted_proxy_settings(TRUSTED_PROXIES)
AXES_IPWARE_META_PRECEDENCE_ORDER = _PROXIES["AXES_IPWARE_META_PRECEDENCE_ORDER"]
if TRUSTED_PROXIES:
    AXES_IPWARE_PROXY_COUNT = _PROXIES["AXES_IPWARE_PROXY_COUNT"]
    AXES_IPWARE_PROXY_ORDER = _PROXIES["AXES_IPWARE_PROXY_ORDER"]
    IPWARE_STRICT = _PROXIES["IPWARE_STRICT"]

# Sessions expire after half an hour without a request (each request renews them).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- Transport and headers: strict unless DEBUG (a laptop has no TLS) -------------------------

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Enforced everywhere: scripts only from our own static files (no inline script, no CDN).
# Inline style attributes remain allowed because the admin and Swagger UI set them.
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
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Requests larger than this are refused with 413 before anything reads them.
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# One date style: "23 July 2017" shown, YYYY-MM-DD typed (tracker/formats/en/formats.py).
FORMAT_MODULE_PATH = ["tracker.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# collectstatic writes each file under a name with its hash, plus gzip and Brotli copies;
# WhiteNoise serves those with a year's Cache-Control (they never change under that name).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Files browsers ask for at the root of the site: /favicon.ico.
WHITENOISE_ROOT = BASE_DIR / "tracker" / "root"

# --- The cache the rate limits count in ------------------------------------------------------


def _cache(url: str, prefix: str) -> dict:
    """Django's own Redis backend for a ``redis://``, ``rediss://`` or ``unix://`` URL (Valkey
    speaks the same protocol: ``valkey://`` and ``valkeys://`` are accepted as aliases)."""
    scheme = urlsplit(url).scheme
    aliases = {"valkey": "redis", "valkeys": "rediss"}
    if scheme in aliases:
        url = aliases[scheme] + url[len(scheme) :]
    elif scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(
            f"CACHE_URL must name Redis or Valkey (redis://host:6379/0), not “{scheme}”: the rate "
            "limits count in it on every request, which no database-backed cache should do."
        )
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
        # A cache that stops answering must not hang requests: the limits give way instead
        # (agreements/web/throttling.py).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


# Shared by every process and instance when CACHE_URL names Redis; otherwise each process
# counts on its own (`make serve` says so when it starts).
CACHE_URL = env.str("CACHE_URL", default="")
CACHES = {
    "default": _cache(CACHE_URL, env.str("CACHE_KEY_PREFIX", default="tracker"))
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tracker"}
}

# --- Rate limits (agreements/web/throttling.py) ----------------------------------------------------

RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS", default=True)
RATE_LIMITS = {
    "anon": env.str("THROTTLE_ANON", default="600/minute"),
    "user": env.str("THROTTLE_USER", default="3000/minute"),
    # On top of the above, for the requests that cost the database seconds: the CSV export and
    # the dyad-year panels of every pair or of many years.
    "expensive_anon": env.str("THROTTLE_EXPENSIVE_ANON", default="10/minute"),
    "expensive_user": env.str("THROTTLE_EXPENSIVE_USER", default="60/minute"),
}

# --- Bounded work per request (agreements/web/bounds.py) ------------------------------------------

# Seconds the queries of one report (pair, partners, network) may take: beyond, a 503 saying
# what to narrow.
REPORT_TIME_LIMIT = env.float("REPORT_TIME_LIMIT", default=10.0)
# Seconds one streamed response (the CSV export, a dyad-year panel) may take, its queries
# included, and how many may run at once in one process: the rest of the threads stay free
# for everything else (gunicorn.conf.py's threads: GUNICORN_THREADS, 8 by default).
STREAM_TIME_LIMIT = env.float("STREAM_TIME_LIMIT", default=300.0)
STREAMS_PER_PROCESS = env.int(
    "STREAMS_PER_PROCESS", default=max(1, env.int("GUNICORN_THREADS", default=8) // 2)
)
# The largest dyad-year panel (pairs × years) an anonymous client may ask for; signed-in users
# may ask for any.
PANEL_ANONYMOUS_MAX_ROWS = env.int("PANEL_ANONYMOUS_MAX_ROWS", default=500_000)

# --- HTTP caching by data version (web/caching.py, reports/keeping.py) ---------------------------
# Anonymous reads of lists, reports and pages say how long a browser, reverse proxy or CDN may
# keep them (Cache-Control: public, max-age, stale-while-revalidate); 0 sends no-cache, so every
# use revalidates (a 304 when nothing changed). Signed-in answers are always private, no-cache.
HTTP_CACHE_MAX_AGE = env.int("HTTP_CACHE_MAX_AGE", default=60)
HTTP_CACHE_STALE_WHILE_REVALIDATE = env.int("HTTP_CACHE_STALE_WHILE_REVALIDATE", default=300)
# How long a report's result stays in the shared cache (keyed by the data version, so a write
# makes it unreachable at once; this only bounds the memory). 0 keeps nothing.
REPORT_CACHE_SECONDS = env.int("REPORT_CACHE_SECONDS", default=3600)

# --- REST API -------------------------------------------------------------------------------

# Anonymous clients may read unless this is on; writes always need the Editors' permissions.
API_REQUIRE_LOGIN_FOR_READS = env.bool("API_REQUIRE_LOGIN_FOR_READS", default=False)
API_MAX_PAGE_SIZE = 500
# A list's page counts its rows exactly up to this many; beyond, PostgreSQL's planner estimate
# (count_is_exact: false) saves a COUNT(*) of the whole result on every page.
API_EXACT_COUNT_LIMIT = env.int("API_EXACT_COUNT_LIMIT", default=10_000)
# Seconds an API token works after it is issued (0: until revoked). Signing in again, changing
# the password or deactivating the account revokes it in any case (agreements/accounts.py).
API_TOKEN_TTL = env.int("API_TOKEN_TTL", default=0)

REST_FRAMEWORK = {
    # Token first: an anonymous request is then answered 401 with a WWW-Authenticate
    # challenge, and 403 is kept for "authenticated, but not allowed".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agreements.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["agreements.api.permissions.ReadOrModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "agreements.api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "agreements.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "agreements.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["agreements.api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "agreements.api.renderers.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "agreements.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "agreements.api.errors.exception_handler",
    # One budget per client across the API and the pages (agreements/web/throttling.py),
    # counted in the shared cache; the client as the trusted proxies report it.
    "DEFAULT_THROTTLE_CLASSES": ["agreements.api.throttling.ClientThrottle"],
    "NUM_PROXIES": _PROXIES["NUM_PROXIES"],
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Bilateral agreement tracker API",
    "DESCRIPTION": (
        "Agreements between two states: parties, signatories, clauses, status history and sources. "
        "Anonymous clients may read; writes need a token (or a session) of a user in the Editors group."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AgreementKindEnum": "agreements.choices.AgreementKind",
        "EvidenceEnum": "agreements.choices.Evidence",
        "EventTypeEnum": "agreements.choices.EventType",
        "StatusEnum": "agreements.choices.Status",
        "DatePrecisionEnum": "agreements.dates.DatePrecision",
        "NameKindEnum": "agreements.choices.NameKind",
        "RelationKindEnum": "agreements.choices.RelationKind",
        "ParticipantRoleEnum": "agreements.choices.ParticipantRole",
        "BodyKindEnum": "agreements.choices.BodyKind",
        "LevelEnum": "agreements.choices.Level",
        "DisclosureEnum": "agreements.choices.Disclosure",
        "ImplementationKindEnum": "agreements.choices.ImplementationKind",
        "WebhookStateEnum": "agreements.models.webhooks.SubscriptionState",
        "WebhookAttemptOutcomeEnum": "agreements.models.webhooks.AttemptOutcome",
        "ChangeKindEnum": "agreements.models.changes.ChangeKind",
        "CommitmentStateEnum": "agreements.choices.CommitmentState",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# E-mail: the digests of what readers watch (``send_digests``). ``EMAIL_URL`` says where mail
# goes (``smtp+tls://user:password@smtp.example.org:587``); by default it is printed on the
# console, which is what ``make run`` wants and what keeps a first run from sending anything.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bilateral agreement tracker <tracker@localhost>")
# The site's public address, for the links in e-mails (a request knows its own; a mail does not).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Webhooks (``deliver_webhooks``): a failed delivery is tried again after
# WEBHOOK_RETRY_BASE seconds, doubling up to WEBHOOK_RETRY_CAP (each wait jittered), until
# WEBHOOK_RETRY_WINDOW seconds after its first failure; then the subscription is marked failing.
WEBHOOK_RETRY_BASE = env.float("WEBHOOK_RETRY_BASE", default=10.0)
WEBHOOK_RETRY_CAP = env.float("WEBHOOK_RETRY_CAP", default=3600.0)
WEBHOOK_RETRY_WINDOW = env.float("WEBHOOK_RETRY_WINDOW", default=86400.0)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=5.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=10.0)
# An outbox id still missing after this many seconds belongs to a write that was rolled back:
# later events wait for it until then (a write commits its events after it took their ids).
WEBHOOK_GAP_SETTLE = env.float("WEBHOOK_GAP_SETTLE", default=30.0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "watches"
LOGOUT_REDIRECT_URL = "reports"
