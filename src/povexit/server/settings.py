"""Django settings, all from the environment (set by :func:`povexit.server.setup` or a WSGI host).

``POVEXIT_DATA_DIR`` (database file, secret key, evidence files), ``POVEXIT_DB`` / ``DATABASE_URL``
(default: SQLite in the data dir), ``POVEXIT_LANG`` (zh / en default interface language),
``POVEXIT_DEBUG``, ``POVEXIT_ALLOWED_HOSTS`` (comma-separated, default ``*``), ``POVEXIT_HOLIDAYS`` /
``POVEXIT_WORKDAYS`` / ``POVEXIT_CALENDAR_FILE`` (the working-day calendar of the exit procedure).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from . import dburl

HERE = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("POVEXIT_DATA_DIR") or Path.home() / ".local" / "share" / "povexit").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
ATTACHMENT_DIR = DATA_DIR / "attachments"


def _secret_key() -> str:
    if os.environ.get("POVEXIT_SECRET_KEY"):
        return os.environ["POVEXIT_SECRET_KEY"]
    f = DATA_DIR / "secret_key"
    if not f.exists():
        fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return f.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("POVEXIT_DEBUG", "") in ("1", "true", "yes")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("POVEXIT_ALLOWED_HOSTS", "*").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "povexit.server.apps.ServerConfig",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "povexit.server.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "povexit.server.middleware.PovexitErrorMiddleware",
]
ROOT_URLCONF = "povexit.server.urls"
WSGI_APPLICATION = "povexit.server.wsgi.application"
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
                "povexit.server.views.common.nav",
            ]
        },
    }
]

DATABASES = {
    "default": dburl.parse(
        os.environ.get("POVEXIT_DB") or os.environ.get("DATABASE_URL") or "sqlite://", data_dir=DATA_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("POVEXIT_FAST_PASSWORDS"):  # tests and benchmarks only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}}
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en" if os.environ.get("POVEXIT_LANG", "zh").lower().startswith("en") else "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [HERE / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("POVEXIT_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
POVEXIT_MAX_UPLOAD_MB = int(os.environ.get("POVEXIT_MAX_UPLOAD_MB", "50"))

# Working-day calendar of the exit procedure (公示 ≥ 5 working days): Monday–Friday minus these holidays,
# plus these make-up working days (调休); ISO dates, comma-separated, and/or a YAML file with keys
# holidays / workdays / due (stage code → date of the year's plan). See server/procedure.py.
POVEXIT_HOLIDAYS = [d for d in os.environ.get("POVEXIT_HOLIDAYS", "").split(",") if d.strip()]
POVEXIT_WORKDAYS = [d for d in os.environ.get("POVEXIT_WORKDAYS", "").split(",") if d.strip()]
POVEXIT_CALENDAR_FILE = os.environ.get("POVEXIT_CALENDAR_FILE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
