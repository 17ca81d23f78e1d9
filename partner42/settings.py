"""42Partner settings: one module, every switch from the environment (see .env.example).

Without DATABASE_URL / REDIS_URL the project runs on its embedded default (SQLite, local-memory
cache, in-memory channel layer, Celery tasks in-process). That mode is for `make run` only and
requires DEBUG on; production sets the URLs and refuses to start without its secrets.
"""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from corsheaders.defaults import default_headers
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def _required(name: str, value: str) -> str:
    """`value`, or a stop naming the variable: an empty one counts as missing."""
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable")
    return value


DEBUG = env.bool("DEBUG", default=False)
# With DEBUG on, pages still show the site's 404/500 pages unless a developer asks for Django's
# technical ones (partner42.middleware.FriendlyErrorPagesMiddleware).
DEBUG_TECHNICAL_PAGES = env.bool("DEBUG_TECHNICAL_PAGES", default=False)

# Production secrets have no defaults: a missing one stops the process with its name.
SECRET_KEY = env(
    "SECRET_KEY", default="insecure-embedded-default-key" if DEBUG else environ.Env.NOTSET
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set the ALLOWED_HOSTS environment variable")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The embedded demo login (pick a student, no 42 account) exists only with DEBUG on.
DEMO_LOGIN = env.bool("DEMO_LOGIN", default=False)
if DEMO_LOGIN and not DEBUG:
    raise ImproperlyConfigured("DEMO_LOGIN is only allowed with DEBUG on")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_prometheus",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "django_htmx",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "axes",
    "accounts.providers.fortytwo",
    "partner42",
    "accounts",
    "rooms",
    "matching",
    "alarms",
    "restaurants",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A logged-in student's language preference over the cookie and Accept-Language.
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "partner42.middleware.FriendlyErrorPagesMiddleware",
    "partner42.middleware.ApplicationErrorMiddleware",
    # Turns a login refused by the lockout into its 429 (accounts.authentication.lockout_response).
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "partner42.urls"
WSGI_APPLICATION = "partner42.wsgi.application"
ASGI_APPLICATION = "partner42.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "partner42.context_processors.site",
                "alarms.context_processors.alarm_bell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default only: production names its MariaDB or refuses to start.
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}" if DEBUG else environ.Env.NOTSET,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    # The same backend with query counters and timings for /metrics (django-prometheus).
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.mysql"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            # Django's default for MySQL, stated so nobody "fixes" it to REPEATABLE READ: the
            # conditional UPDATEs that guard capacity and refresh tokens rely on it.
            "isolation_level": "read committed",
        }
    )
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves concurrent requests too (24 students joining one room at once
    # were "database is locked" 500s): every transaction takes the write lock when it begins
    # (IMMEDIATE; a DEFERRED one upgrading its read lock fails at once instead of waiting), a
    # writer waits up to SQLITE_BUSY_TIMEOUT seconds for it, and WAL lets readers read meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.float("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
# DEBUG's built-in key is for the embedded SQLite only: a real database holds real sessions.
if DEBUG and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    _required("SECRET_KEY", env("SECRET_KEY", default=""))
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery ------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Seconds a Redis call (cache, broker publish) may wait to connect or for an answer: a Redis that
# hangs instead of refusing must not hold requests for the driver's minutes.
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=2.0)
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis that fails open: with Redis down, reads miss and writes are dropped
            # (logged once a minute), so pages and the API serve from MariaDB (partner42/cache.py).
            "BACKEND": "partner42.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="p42"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # A receive blocks in Redis for 5 s (channels-redis's BZPOPMIN); redis-py's
                        # own default socket timeout is 5 s too, so every idle receive used to
                        # fail and close the websocket or stream. Well above it, still bounded.
                        "socket_timeout": env.float("CHANNEL_LAYER_SOCKET_TIMEOUT", default=30),
                        "socket_connect_timeout": 5,
                        "socket_keepalive": True,
                        "health_check_interval": 30,
                    }
                ],
                "prefix": env("CHANNEL_LAYER_PREFIX", default="p42:asgi"),
            },
        }
    }
else:
    if not DEBUG:
        raise ImproperlyConfigured("Set the REDIS_URL environment variable")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
# Without a broker the embedded default runs every task in-process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"matching.tasks.matchmaking_run_task": {"queue": "matchmaking"}}
CELERY_TASK_ACKS_LATE = True
# A broker that is down or hangs must not hold a request: connecting and every command give up
# after REDIS_TIMEOUT_SECONDS, and a publish is retried once (partner42.celery.enqueue logs it
# and the beat schedule does the work). kombu's own advice for a broker that can vanish.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_BEAT_SCHEDULE = {
    "refresh-token-prune": {
        "task": "accounts.tasks.refresh_token_prune_task",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    # Pairs what waits and expires what waited too long; new requests also trigger a run.
    "matchmaking-tick": {
        "task": "matching.tasks.matchmaking_run_task",
        "schedule": 10.0,
        # A tick nobody consumed within its period is dropped: the next one does the same job.
        "options": {"expires": 10},
    },
    # Asks the members of matches whose meeting is some hours past whether they met (once).
    "meeting-check": {
        "task": "matching.tasks.meeting_check_due_task",
        "schedule": 600.0,
        "options": {"expires": 600},
    },
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out account or address is refused before its password is checked.
    "accounts.authentication.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password logins (the admin's and `POST /api/auth/login`; students have none) lock out after
# AXES_FAILURE_LIMIT failures, per account and per client address (partner42.net.client_ip), for
# AXES_COOLOFF_MINUTES; a success resets the account's count. Operators unlock in the admin
# (Axes > Access attempts: delete the rows).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "partner42.net.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.authentication.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Successful logins (students' included) are not recorded: the failures are what matters here.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# accounts/admin.py registers axes' admins itself (without their date drill-down, which needs the
# time zone tables in MariaDB) with an unlock action.
AXES_ENABLE_ADMIN = False
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:choose"
LOGOUT_REDIRECT_URL = "accounts:login"

FORTYTWO_API_URL = env("FORTYTWO_API_URL", default="https://api.intra.42.fr").rstrip("/")
FORTYTWO_CLIENT_ID = env("FORTYTWO_CLIENT_ID", default="")
FORTYTWO_CLIENT_SECRET = env("FORTYTWO_CLIENT_SECRET", default="")
if not DEBUG:
    # Without them every student login fails at the intra, long after a "successful" deploy.
    _required("FORTYTWO_CLIENT_ID", FORTYTWO_CLIENT_ID)
    _required("FORTYTWO_CLIENT_SECRET", FORTYTWO_CLIENT_SECRET)

# The React client: the OAuth hand-off redirects to FRONTEND_URL as given (a path is fine);
# CORS, CSP and the Origin checks use its origin (scheme://host[:port]).
FRONTEND_URL = env("FRONTEND_URL", default="http://localhost:3000")
_frontend = urlsplit(FRONTEND_URL)
if _frontend.scheme not in ("http", "https") or not _frontend.hostname:
    raise ImproperlyConfigured(
        f"FRONTEND_URL must be an http(s) URL such as https://partner42.example.org, "
        f"not {FRONTEND_URL!r}"
    )
FRONTEND_ORIGIN = f"{_frontend.scheme}://{_frontend.netloc.lower()}"

# allauth: students log in with 42 only; no local signup, no passwords for students.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*"]
SOCIALACCOUNT_ONLY = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "fortytwo": {
        "APPS": [
            {
                "client_id": FORTYTWO_CLIENT_ID,
                "secret": FORTYTWO_CLIENT_SECRET,
                "key": "",
            }
        ],
        "SCOPE": ["public"],
    }
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("REFRESH_TOKEN_DAYS", default=15)),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "USER_ID_FIELD": "api_id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
}
REFRESH_COOKIE_NAME = "refresh-token"
REFRESH_COOKIE_PATH = "/api/token"
REFRESH_COOKIE_SECURE = env.bool("REFRESH_COOKIE_SECURE", default=not DEBUG)
REFRESH_COOKIE_SAMESITE = env("REFRESH_COOKIE_SAMESITE", default="Lax" if DEBUG else "None")
# The original answered 403 to an expired token and its newer React client refreshes on that.
LEGACY_EXPIRED_TOKEN_STATUS = env.int("LEGACY_EXPIRED_TOKEN_STATUS", default=401)
# Parallel refreshes of one client (the React client refreshes once per failing request): within
# this many seconds of a token's use, that token (the immediately preceding one only) gets the
# same successor again. An older generation, or a reuse after the window, revokes the whole
# family (0 = any reuse revokes). 10 s as Cognito's RetryGracePeriodSeconds, Okta, Auth0.
REFRESH_REUSE_GRACE_SECONDS = env.int("REFRESH_REUSE_GRACE_SECONDS", default=10)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSONRenderer written by orjson: the same bodies, a fraction of the time.
    "DEFAULT_RENDERER_CLASSES": ["partner42.renderers.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        # JSON also under text/plain and the form type (the React client, API.md Q5); real
        # forms (the operators' /api/auth/login) and multipart keep working.
        "partner42.parsers.JSONParser",
        "partner42.parsers.PlainTextJSONParser",
        "partner42.parsers.FormOrJSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "partner42.exception_handler.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's throttles keyed by partner42.net.client_ip (X-Forwarded-For only from a proxy).
        "partner42.net.AnonThrottle",
        "partner42.net.UserThrottle",
        # Per-user budgets of the writes people flood; the pages spend the same ones.
        "partner42.throttling.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="120/min"),
        "user": env("THROTTLE_USER", default="600/min"),
        "login": env("THROTTLE_LOGIN", default="10/min"),
        "room_create": env("THROTTLE_ROOM_CREATE", default="10/min"),
        "comment": env("THROTTLE_COMMENT", default="30/min"),
        "participation": env("THROTTLE_PARTICIPATION", default="30/min"),
        "random_match": env("THROTTLE_RANDOM_MATCH", default="10/min"),
        "review": env("THROTTLE_REVIEW", default="20/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "42Partner API",
    "DESCRIPTION": "Meal and study partners for 42 Seoul. Paths and fields of the original API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema enum per shared choice set, whichever app's serializer names it.
    "ENUM_NAME_OVERRIDES": {
        "ContentCategoryEnum": "partner42.choices.ContentCategory",
        "PlaceEnum": "partner42.choices.Place",
        "TimeOfEatingEnum": "partner42.choices.TimeOfEating",
        "WayOfEatingEnum": "partner42.choices.WayOfEating",
        "TypeOfStudyEnum": "partner42.choices.TypeOfStudy",
        "MethodCategoryEnum": "partner42.choices.MethodCategory",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partner42.openapi.add_error_responses",
    ],
}

CORS_ALLOWED_ORIGINS = [FRONTEND_ORIGIN]
CORS_ALLOW_CREDENTIALS = True
# The original allowed Cache-Control too, and its React client sends it.
CORS_ALLOW_HEADERS = (*default_headers, "cache-control")

# --- Email ----------------------------------------------------------------------------------
# Confirmation links of email changes. django-environ's EMAIL_URL, e.g.
# smtp+tls://user:password@smtp.example.org:587 (smtp+ssl:// for 465); DEBUG prints mails on the
# console. Production must say how to send: without mail nobody can change their email.
try:
    vars().update(
        env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else environ.Env.NOTSET)
    )
except ImproperlyConfigured as exc:  # django-environ's "Invalid email schema x" names no variable
    if "EMAIL_URL" in str(exc):
        raise
    raise ImproperlyConfigured(f"EMAIL_URL: {exc}") from exc
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL",
    default="42Partner <noreply@localhost>" if DEBUG else environ.Env.NOTSET,
)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
# Ours first; then DRF's Korean, which it ships as ko_KR (never loaded for "ko"): locale/drf.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "drf"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Product knobs --------------------------------------------------------------------------
REVIEW_DELAY_MINUTES = env.int("REVIEW_DELAY_MINUTES", default=30)
# "Did you meet?" (docs/matching.md): members are asked this many hours after the meeting, may
# answer for this many days after it; this many absences in a row pause random matching for
# MEETING_PAUSE_DAYS. SITE_URL (scheme and host) makes the link in the Slack question absolute.
MEETING_CHECK_DELAY_HOURS = env.int("MEETING_CHECK_DELAY_HOURS", default=3)
MEETING_REPORT_DAYS = env.int("MEETING_REPORT_DAYS", default=7)
MEETING_ABSENCES_TO_PAUSE = env.int("MEETING_ABSENCES_TO_PAUSE", default=3)
MEETING_PAUSE_DAYS = env.int("MEETING_PAUSE_DAYS", default=7)
SITE_URL = env("SITE_URL", default="").rstrip("/")
if SITE_URL and (
    urlsplit(SITE_URL).scheme not in ("http", "https") or not urlsplit(SITE_URL).hostname
):
    raise ImproperlyConfigured(
        f"SITE_URL must be an http(s) URL such as https://partner42.example.org, not {SITE_URL!r}"
    )
MATCH_SIZE = env.int("MATCH_SIZE", default=2)
RANDOM_MATCH_TTL_MINUTES = env.int("RANDOM_MATCH_TTL_MINUTES", default=30)
SLACK_BOT_TOKEN = env("SLACK_BOT_TOKEN", default="")
SLACK_API_URL = env("SLACK_API_URL", default="https://slack.com/api/")
# Seconds one Slack call may take; a slower Slack counts as failing (retried with backoff).
SLACK_TIMEOUT_SECONDS = env.float("SLACK_TIMEOUT_SECONDS", default=10)
# Slack both ways (alarms/slackapp): the app's signing secret, which every request from Slack
# (slash command, button) must carry a signature of. Empty: the Slack endpoints answer 404.
SLACK_SIGNING_SECRET = env("SLACK_SIGNING_SECRET", default="")
# Where replies to a button press may be posted: each payload's response_url must start with one.
SLACK_RESPONSE_URL_PREFIXES = env.list(
    "SLACK_RESPONSE_URL_PREFIXES", default=["https://hooks.slack.com/"]
)
# SITE_URL (above) also gives the match notice its "see the match" button; empty: no button.
# Alarms of one kind from one caller on one room within this many seconds are one alarm (a
# join/leave loop or a comment flood alarms its target once per window); 0 keeps every one.
ALARM_COALESCE_SECONDS = env.int("ALARM_COALESCE_SECONDS", default=300)
# SSE alarm stream: a comment line this often keeps proxies from closing an idle stream.
ALARM_SSE_KEEPALIVE_SECONDS = env.float("ALARM_SSE_KEEPALIVE_SECONDS", default=20)
# Open alarm streams (SSE and websocket together) per user, across every realtime process, and
# per realtime process (alarms/streams.py). Over the first: 429; over the second: 503.
ALARM_STREAMS_PER_USER = env.int("ALARM_STREAMS_PER_USER", default=5)
ALARM_STREAMS_PER_PROCESS = env.int("ALARM_STREAMS_PER_PROCESS", default=2000)
# Redis connections of the stream caps per realtime event loop; a burst beyond waits for one.
ALARM_REDIS_MAX_CONNECTIONS = env.int("ALARM_REDIS_MAX_CONNECTIONS", default=50)

# The two clusters restaurants are measured from (keys are choices.Place values); WGS84 degrees.
CAMPUSES = {
    "GAEPO": {
        "name": _("개포 클러스터"),
        "address": "서울 강남구 개포로 416",
        "latitude": 37.4881,
        "longitude": 127.0655,
    },
    "SEOCHO": {
        "name": _("서초 클러스터"),
        "address": "서울 서초구 강남대로 327",
        "latitude": 37.4946,
        "longitude": 127.0276,
    },
}
# Recommendations are read through a per-process cache for this long (an import clears it at once).
RESTAURANT_CACHE_SECONDS = env.int("RESTAURANT_CACHE_SECONDS", default=300)

# --- Operations -----------------------------------------------------------------------------
# Proxies (addresses or networks) whose X-Forwarded-For we believe: throttles, login lockouts and
# logs take the client's address from it only when the request comes from one of them
# (partner42.net.client_ip). Default none: the peer's own address.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
# Also lets in `Authorization: Bearer <METRICS_TOKEN>` from anywhere (e.g. Prometheus via nginx).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
# json: one object per line (production); plain: for humans at `make run`.
LOG_FORMAT = env("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain")
LOG_FILE = env("LOG_FILE", default="")  # also log to this file, rotated at 10 MB, 5 kept
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "partner42.log.JsonFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # django-axes tells every login at INFO; its lockouts come at WARNING.
        "axes": {"level": "WARNING"},
    },
}
if LOG_FILE:
    LOGGING["handlers"]["file"] = {
        # Rotation that is safe when several processes (gunicorn or Celery children) share a file.
        "class": "concurrent_log_handler.ConcurrentRotatingFileHandler",
        "filename": LOG_FILE,
        "maxBytes": 10 * 1024 * 1024,
        "backupCount": 5,
        "encoding": "utf-8",
        "formatter": "json",
    }
    LOGGING["root"]["handlers"].append("file")

SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz(/realtime)?$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Security headers and Content Security Policy (django-csp) ------------------------------
# Django's defaults, stated so that nobody loosens them by accident; nginx adds Permissions-Policy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _websocket_sources(hosts: list[str]) -> list[str]:
    """The alarm websocket's origins: 'self' covers them in current browsers, not older Safari."""
    if DEBUG or "*" in hosts:
        return ["ws:", "wss:"] if DEBUG else ["wss:"]
    # ".example.org" in ALLOWED_HOSTS means the domain and its subdomains.
    return [f"wss://*{h}" if h.startswith(".") else f"wss://{h}" for h in hosts]


# htmx (django-htmx's htmx 2) adds this <style> for its request indicators: its hash lets exactly
# that inline style through (tests/deploy/ checks it against the htmx that ships).
HTMX_INDICATOR_STYLE = (
    ".htmx-indicator{opacity:0;visibility: hidden} .htmx-request .htmx-indicator, "
    ".htmx-request.htmx-indicator{opacity:1;visibility: visible;transition: opacity 200ms ease-in}"
)
_htmx_style_hash = base64.b64encode(hashlib.sha256(HTMX_INDICATOR_STYLE.encode()).digest()).decode()
# Not CSP_REPORT_URI: django-csp 4 refuses to start with settings of its 3.x names.
_csp_report_uri = env("CSP_REPORT_URI", default="")  # e.g. Sentry's security endpoint
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # Pages load their scripts from static files; NONCE lets a template opt in to one inline
        # script with `nonce="{{ request.csp_nonce }}"`.
        "script-src": [SELF, NONCE],
        "style-src": [SELF, f"'sha256-{_htmx_style_hash}'"],
        "img-src": [SELF, "data:", "https://cdn.intra.42.fr"],
        "font-src": [SELF],
        "connect-src": [SELF, *_websocket_sources(ALLOWED_HOSTS)],
        # The 42 login form posts here and is redirected to the intra, which may redirect back
        # and on to the React client: Chrome checks every hop against form-action.
        "form-action": [SELF, _origin(FORTYTWO_API_URL), "https://*.42.fr", FRONTEND_ORIGIN],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "upgrade-insecure-requests": not DEBUG,
        "report-uri": _csp_report_uri or None,
    }
}
# Report-only first is how a stricter policy is rolled out without breaking pages.
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
