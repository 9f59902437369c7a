"""Rezerva settings: one module, read from the environment (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a strict true/false variable; anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"true", "1", "yes"}:
        return True
    if raw.lower() in {"false", "0", "no"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# A key anyone can read (an example's placeholder) or guess lets them forge sessions, password
# reset links and guests' manage links: outside DEBUG such a key stops the app from starting.
MIN_SECRET_KEY_LENGTH = 32
_PUBLIC_SECRET_KEYS = {"change-me", "changeme", "secret", "dev-only-not-secret"}


def _example_secret_keys() -> set[str]:
    """The SECRET_KEY values written in .env.example (placeholders, public by definition)."""
    example = PROJECT_DIR / ".env.example"
    if not example.is_file():
        return set()
    lines = example.read_text(encoding="utf-8").splitlines()
    return {line.partition("=")[2].strip() for line in lines if line.startswith("SECRET_KEY=")}


def secret_key_problem(key: str) -> str | None:
    """Why `key` cannot sign anything in production, or None when it can."""
    if not key:
        return "SECRET_KEY is required when DEBUG is off"
    if key in _PUBLIC_SECRET_KEYS | _example_secret_keys() or key.startswith("django-insecure-"):
        return "SECRET_KEY is a published placeholder; generate a random one"
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        return f"SECRET_KEY must be random and at least {MIN_SECRET_KEY_LENGTH} characters long"
    return None


if not DEBUG and (_problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"{_problem} (50 or more avoids check --deploy's W009): "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
if not SECRET_KEY:
    SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - only reachable with DEBUG=true

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "rezerva.core",
    "rezerva.tenancy",
    "rezerva.accounts",
    "rezerva.catalog",
    "rezerva.scheduling",
    "rezerva.availability",
    "rezerva.coupons",
    "rezerva.booking",
    "rezerva.payments",
    "rezerva.notify",
    "rezerva.api",
    "rezerva.dashboard",
    "rezerva.hub",
]

MIDDLEWARE = [
    # CSP on every response (refusals below included), no-store on private pages; reads no body.
    "rezerva.core.middleware.SecurityHeadersMiddleware",
    # Then an oversized body is refused before anything reads it.
    "rezerva.core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A NUL in the path, query or a form field is a 400 before anything looks it up.
    "rezerva.core.middleware.NulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rezerva.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "rezerva.urls"
WSGI_APPLICATION = "rezerva.wsgi.application"

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
                "rezerva.tenancy.context_processors.current_business",
            ],
            "builtins": ["rezerva.core.templatetags.rezerva"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; IMMEDIATE makes a read-then-write transaction wait for the write
    # lock up front instead of failing later with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# At least 12 characters (a short passphrase), not like the email or name, not a common password,
# not all digits.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pl", "Polski")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Development serves static files straight from the apps; production serves collectstatic output.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG


def email_settings(url: str) -> dict:
    """Django email settings from EMAIL_URL: smtp://user:pass@host:port, smtp+tls://,
    smtp+ssl://, console://, file:///path or locmem://."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    backends = "django.core.mail.backends."
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": backends + "console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": backends + "locmem.EmailBackend"}
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("EMAIL_URL file:// needs a directory: file:///var/mail")
        return {"EMAIL_BACKEND": backends + "filebased.EmailBackend", "EMAIL_FILE_PATH": parts.path}
    if parts.scheme in {"smtp", "smtp+tls", "smtp+ssl", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured("EMAIL_URL smtp:// needs a host: smtp://user:pass@host:587")
        use_ssl = parts.scheme in {"smtp+ssl", "smtps"}
        return {
            "EMAIL_BACKEND": backends + "smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": parts.port or (465 if use_ssl else 587 if "tls" in parts.scheme else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
            "EMAIL_USE_SSL": use_ssl,
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {parts.scheme!r} is not one of smtp, smtp+tls, smtp+ssl, console, file"
    )


# Development prints emails to the console (or EMAIL_URL=file:///path keeps them as files).
globals().update(email_settings(os.environ.get("EMAIL_URL") or "console://"))
# Bounded so a hung SMTP server fails the attempt long before the outbox sweep calls the row
# stuck (notify.services.STUCK_AFTER, 10 minutes).
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Rezerva <no-reply@rezerva.local>")
# Owner-written messages to guests (the run page's "message" action): at most this many
# recipients per business in any 24 hours; a batch that would go over is refused whole.
OWNER_MESSAGES_PER_DAY = int(os.environ.get("OWNER_MESSAGES_PER_DAY", "200"))
# Of those, guests the owner entered herself (booked on their behalf): their address was never
# confirmed by them, so the platform relays far fewer messages to them.
OWNER_MESSAGES_TO_ADDED_PER_DAY = int(os.environ.get("OWNER_MESSAGES_TO_ADDED_PER_DAY", "20"))

# Stripe: platform keys; each business connects its own account (Business.stripe_account_id).
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # tests point this at tests/fakes
# A webhook or the sweep waiting on Stripe gives up after this and lets Stripe's retry come back.
STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "10"))
if not DEBUG and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured("STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are required")

# Background work (notify emails, hold expiry) runs in `manage.py db_worker`; the sweep
# (`manage.py sweep`) re-sends anything a lost task left behind.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS (README "Security"), outside DEBUG: http is redirected to https, and browsers are told to
# use https only for a year, subdomains included, preload-ready (so check --deploy is clean).
# Behind a proxy that terminates TLS set TRUST_X_FORWARDED_PROTO=true; the proxy must then set
# (not pass through) X-Forwarded-Proto. SECURE_SSL_REDIRECT=false for a plain-http local run.
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (core.middleware.SecurityHeadersMiddleware): origins besides our own
# that forms may post or be redirected to; Stripe Checkout is where paying guests go.
_FORM_ACTION_EXTRA = os.environ.get("CSP_FORM_ACTION_EXTRA", "https://checkout.stripe.com")
CSP_FORM_ACTION_EXTRA = [o.strip() for o in _FORM_ACTION_EXTRA.split(",") if o.strip()]
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# Abuse limits (README "Limits and faults"). Bodies: refused with 413 from Content-Length before
# they are read; chunked bodies without one are still capped by DATA_UPLOAD_MAX_MEMORY_SIZE.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", 64 * 1024))
# Stripe sends whole event objects; they are only bounded by Django's own cap.
REQUEST_BODY_MAX_BYTES_BY_PATH = {"/payments/stripe/webhook/": DATA_UPLOAD_MAX_MEMORY_SIZE}
# Requests per client address on the guest booking and manage endpoints ("N/s|min|h|day";
# empty turns a limit off). Counted in the "default" cache, so production needs Redis.
RATE_LIMIT_BOOKING = os.environ.get("RATE_LIMIT_BOOKING", "20/min")
RATE_LIMIT_MANAGE = os.environ.get("RATE_LIMIT_MANAGE", "60/min")
# Seat hoarding (F5): unpaid holds one email or client address may keep, per run and per
# business; while unpaid holds fill HOLD_SHORT_SHARE of a run of at least HOLD_SHORT_MIN_CAPACITY
# seats, new holds last HOLD_SHORT_MINUTES (a one-seat lesson keeps the business's hold time).
HOLD_LIMIT_PER_RUN = int(os.environ.get("HOLD_LIMIT_PER_RUN", "2"))
HOLD_LIMIT_PER_BUSINESS = int(os.environ.get("HOLD_LIMIT_PER_BUSINESS", "5"))
HOLD_SHORT_SHARE = float(os.environ.get("HOLD_SHORT_SHARE", "0.5"))
HOLD_SHORT_MINUTES = int(os.environ.get("HOLD_SHORT_MINUTES", "7"))
HOLD_SHORT_MIN_CAPACITY = int(os.environ.get("HOLD_SHORT_MIN_CAPACITY", "4"))
# How many reverse proxies append to X-Forwarded-For in front of the app; 0 trusts REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Redis in production (shared by every process, atomic counters); local memory otherwise.
_CACHE_URL = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL", "")
if _CACHE_URL:
    if not _CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL/CACHE_URL must be a redis:// or unix:// URL")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": "rezerva",
            # A slow or absent Redis must not hang requests: the rate limit fails open instead.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
