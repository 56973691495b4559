"""Django settings for the Techno Valley platform.

Every setting a deployment changes is an environment variable, listed in
docs/operations.md (a test keeps that list and this file in step):

TECHVALLEY_DATA_DIR      where the SQLite database, uploads and the generated secret key live (./var)
DATABASE_URL             PostgreSQL instead of SQLite, e.g. postgres://user:pw@host/db
TECHVALLEY_DEBUG         1 for development error pages
TECHVALLEY_PRODUCTION    1 turns on HTTPS-only cookies, HSTS and redirects (passes check --deploy)
TECHVALLEY_ALLOWED_HOSTS comma-separated host names (default: localhost names)
TECHVALLEY_SECRET_KEY    overrides the key generated on first run
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("TECHVALLEY_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _write_secret_key(path: Path, replace: bool = False) -> None:
    """Write a new key to a temporary file, then put it in place whole: linked (the first process
    wins; the others keep its key) or, to mend an empty file, renamed over it."""
    tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(64))
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)  # atomic, and fails if another process got there first
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: rename (the last writer wins, whole)
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _secret_key() -> str:
    """The key from the environment, else one generated on first run and kept in DATA_DIR.

    Several processes may start at once on an empty data directory: each writes a complete key
    to a temporary file and links it into place; the first link wins, the others read its key.
    A reader never sees a half-written file. An empty file (left by an earlier version that
    crashed while writing it) is replaced.
    """
    if os.environ.get("TECHVALLEY_SECRET_KEY"):
        return os.environ["TECHVALLEY_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        _write_secret_key(path)
    key = path.read_text().strip()
    if not key:
        _write_secret_key(path, replace=True)
        key = path.read_text().strip()
    return key


SECRET_KEY = _secret_key()
DEBUG = env_flag("TECHVALLEY_DEBUG")
PRODUCTION = env_flag("TECHVALLEY_PRODUCTION")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("TECHVALLEY_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
]
if "PYTEST_VERSION" in os.environ:
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from the package, not from a CDN
    "techvalley.core",
    "techvalley.registry",
    "techvalley.projects",
    "techvalley.green",
    "techvalley.facilities",
    "techvalley.collaboration",
    "techvalley.tenancy",
    "techvalley.surveys",
    "techvalley.portal",
    "techvalley.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "techvalley.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "techvalley.core.middleware.LoginThrottleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "techvalley.core.middleware.AuditActorMiddleware",
    "techvalley.core.middleware.BadInputMiddleware",
]

ROOT_URLCONF = "techvalley.urls"
WSGI_APPLICATION = "techvalley.wsgi.application"
ASGI_APPLICATION = "techvalley.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "techvalley.core.context.viewer",
            ],
        },
    }
]

# A WSGI server's worker process (gunicorn, uWSGI) serves one request at a time and keeps its
# connection; the development server starts a thread per request, so it must not.
UNDER_WSGI_SERVER = Path(sys.argv[0]).name in {"gunicorn", "uwsgi"}
if os.environ.get("DATABASE_URL"):
    # Persistent connections only under a real server: the development server starts a thread
    # per request, and each would keep its own connection open until PostgreSQL runs out.
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=60 if PRODUCTION or UNDER_WSGI_SERVER else 0,
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "techvalley.sqlite3",
            "OPTIONS": {
                # Concurrent writers queue for the lock instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves collected files from here when present
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the package when collectstatic was not run
WHITENOISE_AUTOREFRESH = DEBUG

# Cookies: the session cookie is never readable by scripts; both are sent to this site only
# (SameSite=Lax keeps links from e-mails working) and, in production, over HTTPS only. The CSRF
# cookie stays readable: HTMX sends its value in a header (base.html). A session ends when the
# browser closes or after 8 hours, whichever is first — shared office PCs are common.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"  # __Host-: HTTPS only, this host only, path /
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_flag("TECHVALLEY_SSL_REDIRECT", True)
    # The machine's own health checks speak plain HTTP to the loopback address.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [
        f"https://{h}" for h in ALLOWED_HOSTS if h and "*" not in h and not h.startswith((".", "["))
    ]

# The Content-Security-Policy of every page is core.security.DEFAULT_CSP (no inline script, no
# eval); an installation may set TECHVALLEY_CSP to a dict of its own.

# Login throttle (core/security.py): failed sign-ins per username and address in a window,
# failures (or bad API tokens) per address whatever the username; then 429 until it ends.
TECHVALLEY_LOGIN_MAX_FAILURES = 5
TECHVALLEY_LOGIN_MAX_FAILURES_PER_IP = 100
TECHVALLEY_LOGIN_WINDOW_SECONDS = 15 * 60
# Reverse proxies in front (nginx) whose X-Forwarded-For the throttle trusts: one in production.
TECHVALLEY_PROXY_HOPS = 1 if PRODUCTION else 0
# The throttle's counts are shared by every process of the installation: files in the data
# directory (one machine); point it at a shared cache (e.g. Redis) when several machines serve.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": DATA_DIR / "cache" / "throttle",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The complex a fresh installation works on, and its page size for directories.
TECHVALLEY_DEFAULT_COMPLEX = os.environ.get("TECHVALLEY_DEFAULT_COMPLEX", "sinpyeong-jangnim")
TECHVALLEY_PAGE_SIZE = 50
# The meter-readings lake (Parquet files and their manifest); on object storage or a shared disk
# for a Spark cluster, point this at the mounted path.
TECHVALLEY_LAKE_DIR = Path(os.environ.get("TECHVALLEY_LAKE_DIR", DATA_DIR / "lake"))

# Registry imports: a file that would mark more than this share (or number) of the complex's
# companies as gone is almost always partial or wrong — it stops until the officer confirms.
TECHVALLEY_REGISTRY_MAX_REMOVAL_SHARE = 0.10
TECHVALLEY_REGISTRY_MAX_REMOVALS = 50
# Upload limits (a web server in front should refuse larger bodies before Django reads them).
TECHVALLEY_REGISTRY_MAX_UPLOAD_BYTES = 30_000_000
TECHVALLEY_REGISTRY_MAX_UNCOMPRESSED_BYTES = 200_000_000
TECHVALLEY_REGISTRY_MAX_ROWS = 300_000
# Demand surveys: how long a company's signed answer link stays valid (days).
TECHVALLEY_SURVEY_LINK_DAYS = 180

# E-mail (the booking and survey outboxes): SMTP when a host is given, else files in
# DATA_DIR/mail that an operator can read — district networks often have no mail relay.
if os.environ.get("TECHVALLEY_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["TECHVALLEY_SMTP_HOST"]
    EMAIL_PORT = int(os.environ.get("TECHVALLEY_SMTP_PORT", "25"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("TECHVALLEY_MAIL_FROM", "techvalley@localhost")
