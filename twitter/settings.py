"""Settings for the whole project, read from the environment (twelve-factor).

Every variable is listed in the README's configuration table. Development
defaults are safe; production must set SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (./dev sets a development one for you).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = os.environ.get("SITE_NAME", "Chirp")
# Shown by /api/v1/instance and /api/v2/instance to apps and directories.
SITE_DESCRIPTION = os.environ.get("SITE_DESCRIPTION", "")
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")
SOURCE_URL = os.environ.get("SOURCE_URL", "")
# The site's public address, for links made outside a request (streamed
# and pushed statuses).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where apps and pages open their streaming connection (wss://...): the ASGI
# server. Empty: this host, behind a proxy that routes /api/v1/streaming and
# /stream/ there. STREAMING_PORT instead: this host name, that port.
STREAMING_URL = os.environ.get("STREAMING_URL", "")
STREAMING_PORT = os.environ.get("STREAMING_PORT", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "django_htmx",
    "channels",
    "rest_framework",
    "oauth2_provider",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "tweets",
    "timelines",
    "notifications",
    "search",
    "trends",
    "media",
    "messaging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "api.middleware.optional_trailing_slash",
    "api.middleware.refuse_nul_characters",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, reading the session's user through the account cache.
    "accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "twitter.urls"
WSGI_APPLICATION = "twitter.wsgi.application"
ASGI_APPLICATION = "twitter.asgi.application"

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
                "twitter.context_processors.site",
                "notifications.context_processors.live",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/twitter"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if env_bool("DB_PREPARED_STATEMENTS", True):
    # Server-side parameters and prepared statements: the timeline queries
    # take longer to plan than to run, and their SQL text is the same for
    # every reader (id lists travel as one array parameter), so each
    # connection plans them once. Turn off behind a transaction-pooling
    # PgBouncer, which cannot keep prepared statements.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "chirp")


def _redis_db() -> str:
    parts = urlsplit(REDIS_URL)
    return parts.path.strip("/") or parse_qs(parts.query).get("db", ["0"])[0]


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CHANNEL_LAYERS = {
    "default": {
        # Pub/sub: an event for a group nobody listens to costs one PUBLISH,
        # and nothing is stored for connections that went away.
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        # Pub/sub channels are server-wide, whatever the database number:
        # sites sharing a Redis server need their own prefix.
        "CONFIG": {
            "hosts": [REDIS_URL],
            "prefix": f"{CACHE_KEY_PREFIX}-{_redis_db()}-channels",
        },
    }
}

# --- Celery ----------------------------------------------------------------
# Tasks are idempotent, so a task is acknowledged only after it ran and is
# re-queued when its worker dies half-way.

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died is handed to another worker once it has been
# unacknowledged for visibility_timeout (every task here takes seconds);
# workers look for such tasks every CELERY_RESTORE_INTERVAL seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300),
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_ROUTES = {
    "timelines.tasks.*": {"queue": "fanout"},
    "notifications.tasks.*": {"queue": "notifications"},
    "notifications.tasks_push.*": {"queue": "notifications"},
    "search.tasks.*": {"queue": "search"},
    "media.tasks.*": {"queue": "media"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".data" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 3600.0,
    },
    "compute-trends": {
        "task": "trends.tasks.compute_trends",
        "schedule": 60.0,
    },
    "compute-trending-posts": {
        "task": "trends.tasks.compute_trending_posts",
        "schedule": 60.0,
    },
    "prune-trend-history": {
        "task": "trends.tasks.prune_history",
        "schedule": crontab(hour=3, minute=15),
    },
    # Today's figures too, so the analytics page is at most an hour behind.
    "roll-up-analytics": {
        "task": "trends.analytics.tasks.roll_up",
        "schedule": crontab(minute=5),
    },
    "export-analytics": {
        "task": "trends.analytics.tasks.export",
        "schedule": crontab(hour=0, minute=30),
    },
    # Uploads nobody attached within MEDIA_UNATTACHED_TTL_HOURS (queue "media").
    "sweep-unattached-media": {
        "task": "media.tasks.sweep_unattached_media",
        "schedule": crontab(minute=45),
    },
}

# --- Accounts --------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
REGISTRATION_OPEN = env_bool("REGISTRATION_OPEN", True)
ACCOUNT_USERNAME_MIN_LENGTH = 1
ACCOUNT_PRESERVE_USERNAME_CASING = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")

# Avatars and headers: validated by Pillow, limited in bytes and pixels.
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 2 * 1024 * 1024)
HEADER_MAX_BYTES = env_int("HEADER_MAX_BYTES", 5 * 1024 * 1024)
PROFILE_IMAGE_MAX_PIXELS = env_int("PROFILE_IMAGE_MAX_PIXELS", 25_000_000)

# --- Tweets ----------------------------------------------------------------

TWEET_EDIT_WINDOW_SECONDS = env_int("TWEET_EDIT_WINDOW_SECONDS", 3600)
TWEET_MAX_EDITS = env_int("TWEET_MAX_EDITS", 5)
TIMELINE_PAGE_SIZE = env_int("TIMELINE_PAGE_SIZE", 20)
# Loaded tweets and accounts are cached by id (tweets.cache, accounts.cache)
# and forgotten on every write; these bound how long a write that somehow
# skipped forgetting can show stale.
TWEET_CACHE_SECONDS = env_int("TWEET_CACHE_SECONDS", 900)
ACCOUNT_CACHE_SECONDS = env_int("ACCOUNT_CACHE_SECONDS", 900)

# --- Timelines (see docs/timelines.md) --------------------------------------

# "redis": the fanout service; "database": the read-time query over follows,
# kept for the benchmark's comparison and as the fallback when Redis is down.
HOME_TIMELINE_SOURCE = os.environ.get("HOME_TIMELINE_SOURCE", "redis")
TIMELINE_CAP = env_int("TIMELINE_CAP", 800)
# Authors with this many followers are merged in at read time, not fanned out.
TIMELINE_FANOUT_THRESHOLD = env_int("TIMELINE_FANOUT_THRESHOLD", 10_000)
# A timeline nobody read for this long expires; fanout skips it and the next
# read rebuilds it from PostgreSQL.
TIMELINE_INACTIVE_DAYS = env_int("TIMELINE_INACTIVE_DAYS", 30)
TIMELINE_FANOUT_BATCH_SIZE = env_int("TIMELINE_FANOUT_BATCH_SIZE", 1000)
# Pause between fanout batches, to spread a big fanout's load on a shared Redis.
TIMELINE_FANOUT_BATCH_DELAY_MS = env_int("TIMELINE_FANOUT_BATCH_DELAY_MS", 0)
# How many recent tweets of a newly followed account go into the timeline.
TIMELINE_BACKFILL_COUNT = env_int("TIMELINE_BACKFILL_COUNT", 100)

# --- Real-time: streaming server and Web Push (docs/notifications.md) -------

# A user counts as connected this long after their connection last said so;
# events for them are logged (for resuming) only meanwhile.
STREAMING_PRESENCE_SECONDS = env_int("STREAMING_PRESENCE_SECONDS", 90)
# How many events a reconnecting client can catch up on.
STREAMING_RESUME_EVENTS = env_int("STREAMING_RESUME_EVENTS", 200)
# A heartbeat this often keeps proxies from closing idle SSE connections.
STREAMING_HEARTBEAT_SECONDS = env_int("STREAMING_HEARTBEAT_SECONDS", 15)
# Events waiting for one slow client before it is disconnected.
STREAMING_QUEUE_SIZE = env_int("STREAMING_QUEUE_SIZE", 100)
# The largest message a client may send over its socket, in bytes.
STREAMING_MAX_MESSAGE_BYTES = env_int("STREAMING_MAX_MESSAGE_BYTES", 4096)
# How long a long-polling request waits for an event.
STREAMING_LONG_POLL_SECONDS = env_int("STREAMING_LONG_POLL_SECONDS", 30)

# Direct messages are encrypted with per-conversation data keys wrapped by a
# master key (messaging.crypto): "id:base64 of 32 bytes", comma-separated,
# the current one first. Without one, messages can be neither sent nor read.
_messaging_keys = os.environ.get("MESSAGING_MASTER_KEYS", "")
if not _messaging_keys and os.environ.get("MESSAGING_MASTER_KEYS_FILE"):
    _messaging_keys = Path(os.environ["MESSAGING_MASTER_KEYS_FILE"]).read_text()
MESSAGING_MASTER_KEYS = [
    entry.strip() for entry in _messaging_keys.replace("\n", ",").split(",") if entry.strip()
]

# Web Push (VAPID, RFC 8292): the server's P-256 key, PEM or base64url (the raw
# 32-byte secret or DER), as py_vapid reads it. Without one, push is off.
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
if not VAPID_PRIVATE_KEY and os.environ.get("VAPID_PRIVATE_KEY_FILE"):
    VAPID_PRIVATE_KEY = Path(os.environ["VAPID_PRIVATE_KEY_FILE"]).read_text()
# Shown to apps as `server_key`; empty: derived from the private key (notifications.push.server_key()).
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
# Whom push services contact about our pushes: a mailto: or https: URL.
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT") or f"mailto:{CONTACT_EMAIL or DEFAULT_FROM_EMAIL}"
WEB_PUSH_TIMEOUT_SECONDS = env_int("WEB_PUSH_TIMEOUT_SECONDS", 10)
# How long a push service keeps a message for an offline device (Mastodon: 48 hours).
WEB_PUSH_TTL_SECONDS = env_int("WEB_PUSH_TTL_SECONDS", 48 * 3600)
# Endpoints on loopback/private addresses are refused (SSRF); for development only.
WEB_PUSH_ALLOW_PRIVATE_ADDRESSES = env_bool("WEB_PUSH_ALLOW_PRIVATE_ADDRESSES")

# --- Search (docs/search.md) ------------------------------------------------

# Unset: PostgreSQL full-text search. Set: Elasticsearch at this URL,
# indexed by the `search` queue's tasks (manage.py search_index --rebuild).
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
# Sites (or test runs) sharing one Elasticsearch need their own index names.
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", CACHE_KEY_PREFIX)
# "Top" ranks this many of the newest matches by relevance and engagement.
SEARCH_TOP_CANDIDATES = env_int("SEARCH_TOP_CANDIDATES", 300)

# --- Trends and analytics (docs/trends.md) ---------------------------------

# A tag trends when its distinct authors in the last TRENDS_WINDOW_MINUTES
# exceed its own hourly baseline over the TRENDS_BASELINE_DAYS before.
TRENDS_WINDOW_MINUTES = env_int("TRENDS_WINDOW_MINUTES", 60)
TRENDS_BASELINE_DAYS = env_int("TRENDS_BASELINE_DAYS", 7)
TRENDS_MIN_AUTHORS = env_int("TRENDS_MIN_AUTHORS", 3)
TRENDS_LIMIT = env_int("TRENDS_LIMIT", 10)
TRENDS_HISTORY_DAYS = env_int("TRENDS_HISTORY_DAYS", 30)
# Trending posts (trends/posts.py): public tweets of the last
# TRENDS_POSTS_HOURS with at least TRENDS_POSTS_MIN_INTERACTIONS, ranked by
# interactions / (hours + 2) ** TRENDS_POSTS_GRAVITY; TRENDS_POSTS_LIMIT kept.
TRENDS_POSTS_HOURS = env_int("TRENDS_POSTS_HOURS", 24)
TRENDS_POSTS_MIN_INTERACTIONS = env_int("TRENDS_POSTS_MIN_INTERACTIONS", 2)
TRENDS_POSTS_GRAVITY = float(os.environ.get("TRENDS_POSTS_GRAVITY", "1.8"))
TRENDS_POSTS_LIMIT = env_int("TRENDS_POSTS_LIMIT", 40)
# Impressions are added up in each worker and written to Redis this often
# (trends/analytics/counters.py); 0 writes each page's at once.
IMPRESSIONS_FLUSH_SECONDS = float(os.environ.get("IMPRESSIONS_FLUSH_SECONDS", "1"))
# Where the daily Parquet export writes (a directory, partitioned by day).
ANALYTICS_EXPORT_DIR = Path(os.environ.get("ANALYTICS_EXPORT_DIR", BASE_DIR / ".data" / "exports"))

# --- API: Mastodon client API, OAuth 2.0 / OpenID Connect (docs/api.md) ----

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.scopes.HasScopes"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AccountOrAddressRate"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.JSONAlways",
}
# Mastodon's defaults: 300 requests per 5 minutes per account or address,
# 30 statuses per 30 minutes, 5 app registrations and 25 token requests per
# 5 minutes per address.
API_RATE_LIMITS = {
    "default": os.environ.get("API_RATE_LIMIT", "300/300"),
    "statuses": os.environ.get("API_RATE_LIMIT_STATUSES", "30/1800"),
    "apps": os.environ.get("API_RATE_LIMIT_APPS", "5/300"),
    "auth": os.environ.get("API_RATE_LIMIT_AUTH", "25/300"),
    # Mastodon's: 30 uploads per half hour.
    "media": os.environ.get("API_RATE_LIMIT_MEDIA", "30/1800"),
}
API_RATE_LIMITS_ENABLED = env_bool("API_RATE_LIMITS_ENABLED", True)
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": "The Mastodon client API as this server implements it (see docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Keep the version in operation ids: v1 and v2 routes share names.
    "SCHEMA_PATH_PREFIX": r"/api",
    "ENUM_NAME_OVERRIDES": {"VisibilityEnum": ["public", "unlisted", "private", "direct"]},
    # The docs page's JavaScript is served from here, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

OIDC_RSA_PRIVATE_KEY = os.environ.get("OIDC_RSA_PRIVATE_KEY", "")
if not OIDC_RSA_PRIVATE_KEY and os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE"):
    OIDC_RSA_PRIVATE_KEY = Path(os.environ["OIDC_RSA_PRIVATE_KEY_FILE"]).read_text()
OAUTH2_PROVIDER_APPLICATION_MODEL = "accounts.Application"
# Named so that models pointing at tokens (push subscriptions) can migrate.
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "api.scopes.MastodonScopes",
    "OAUTH2_BACKEND_CLASS": "accounts.api.oauth.FormOrJSONBody",
    "OAUTH2_VALIDATOR_CLASS": "accounts.api.oauth.Validator",
    # Mastodon apps keep a token for years and few of them refresh it.
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_ACCESS_TOKEN_SECONDS", 365 * 24 * 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_REFRESH_TOKEN_SECONDS", 2 * 365 * 24 * 3600),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "PKCE_REQUIRED": False,
    "ROTATE_REFRESH_TOKEN": True,
    # ID tokens (RS256 JWTs) need a key; without one `openid` is not offered.
    "OIDC_ENABLED": bool(OIDC_RSA_PRIVATE_KEY),
    "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": False,
    "REQUEST_APPROVAL_PROMPT": "auto",
}

CORS_URLS_REGEX = r"^/(api|oauth|\.well-known|nodeinfo)/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_EXPOSE_HEADERS = ["Link", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
CORS_ALLOW_HEADERS = [
    *("accept", "authorization", "content-type", "user-agent", "x-requested-with"),
    "idempotency-key",
]

# --- Internationalisation, static and media files -------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / ".data" / "static"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".data" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploaded media on S3 (or an S3-compatible store) when a bucket is named;
# boto3 reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # The CDN's host name: media URLs point there instead of the bucket.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "url_protocol": os.environ.get("AWS_S3_URL_PROTOCOL", "https:"),
            "location": os.environ.get("AWS_LOCATION", ""),
            # Media is public (behind a CDN): plain URLs that never expire,
            # and a name taken twice gets a suffix rather than overwriting.
            "querystring_auth": False,
            "file_overwrite": False,
            # "public-read" for a bucket with ACLs; none where a bucket
            # policy (or the CDN's origin access) grants reading.
            "default_acl": os.environ.get("AWS_DEFAULT_ACL") or None,
        },
    }

# --- Media -----------------------------------------------------------------
# Uploads are checked by content (media.validation) against these limits
# before anything is stored; processing runs on the Celery queue "media".

MEDIA_IMAGE_MAX_BYTES = env_int("MEDIA_IMAGE_MAX_BYTES", 16 * 1024 * 1024)
MEDIA_VIDEO_MAX_BYTES = env_int("MEDIA_VIDEO_MAX_BYTES", 99 * 1024 * 1024)
# Decoded pixels of one image or video frame (Mastodon's limit, about 33 MP):
# a small file declaring huge dimensions (a decompression bomb) stops here.
MEDIA_MAX_PIXELS = env_int("MEDIA_MAX_PIXELS", 8192 * 4096)
# Frames x pixels of an animated GIF, the other way to decode a bomb.
MEDIA_GIF_MAX_TOTAL_PIXELS = env_int("MEDIA_GIF_MAX_TOTAL_PIXELS", 300 * 1024 * 1024)
MEDIA_VIDEO_MAX_SECONDS = env_int("MEDIA_VIDEO_MAX_SECONDS", 300)
# Longest side of the display rendition and of the thumbnail, in pixels.
MEDIA_IMAGE_DISPLAY_SIZE = env_int("MEDIA_IMAGE_DISPLAY_SIZE", 2048)
MEDIA_IMAGE_THUMBNAIL_SIZE = env_int("MEDIA_IMAGE_THUMBNAIL_SIZE", 400)
MEDIA_VIDEO_DISPLAY_SIZE = env_int("MEDIA_VIDEO_DISPLAY_SIZE", 1280)
# A job that started longer ago than this is taken to have died with its
# worker and may be run again: under CELERY_VISIBILITY_TIMEOUT, so that the
# redelivered task takes the job over instead of finding it "processing".
MEDIA_PROCESSING_TIMEOUT = env_int("MEDIA_PROCESSING_TIMEOUT", 240)
# Uploads not attached to a post this many hours after they were made are
# deleted with their files by the hourly sweep (media.tasks).
MEDIA_UNATTACHED_TTL_HOURS = env_int("MEDIA_UNATTACHED_TTL_HOURS", 24)
# ffmpeg and ffprobe: these paths, else those on PATH, else the ffmpeg
# binary of the imageio-ffmpeg package.
FFMPEG_BINARY = os.environ.get("FFMPEG_BINARY", "")
FFPROBE_BINARY = os.environ.get("FFPROBE_BINARY", "")

# --- Security --------------------------------------------------------------

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
