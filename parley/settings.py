"""Parley settings: one module, configured by PARLEY_* environment variables.

Every variable is documented in docs/configuration.md. The defaults run everything in one
process on SQLite under ./var/ with an in-memory channel layer.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PARLEY_VAR_DIR", Path.cwd() / "var")).resolve()


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn PARLEY_DATABASE_URL into a DATABASES entry (sqlite:///path or postgres://…)."""
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return sqlite_database(VAR_DIR / "parley.sqlite3")
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return sqlite_database(Path(unquote(parts.path.removeprefix("/") or "parley.sqlite3")))
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"PARLEY_DATABASE_URL: unsupported scheme {parts.scheme!r}")


def sqlite_database(path: Path) -> dict:
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on the busy timeout instead of failing half-way through a transaction.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # Opening a SQLite connection (and its PRAGMAs) costs more than most queries.
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
    }


DEBUG = env_bool("PARLEY_DEBUG", False)
SECRET_KEY = env_str("PARLEY_SECRET_KEY")
if not SECRET_KEY:
    # The embedded default keeps a generated key under var/ so sessions and encrypted
    # channel secrets survive restarts without any configuration.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()
# Older keys still decrypt channel secrets after a rotation (newest first in the list).
SECRET_KEY_FALLBACKS = env_list("PARLEY_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("PARLEY_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("PARLEY_CSRF_TRUSTED_ORIGINS")
PUBLIC_URL = env_str("PARLEY_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "parley.accounts",
    "parley.customers",
    "parley.connectors",
    "parley.conversations",
    "parley.integrations",
    "parley.automation",
    "parley.sla",
    "parley.triage",
    "parley.kb",
    "parley.assist",
    "parley.replies",
    "parley.realtime",
    "parley.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "parley.core.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parley.accounts.middleware.AgentLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parley.urls"
ASGI_APPLICATION = "parley.asgi.application"
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
                "django.template.context_processors.i18n",
                "parley.web.context.channel_health",
                "parley.web.context.presence_choices",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("PARLEY_DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.Agent"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after this many failures for one address from one IP, that pair is
# locked out for PARLEY_LOGIN_LOCKOUT_MINUTES.
AXES_FAILURE_LIMIT = env_int("PARLEY_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("PARLEY_LOGIN_LOCKOUT_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form field, not Agent.USERNAME_FIELD
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("PARLEY_SECURE_COOKIES", PUBLIC_URL.startswith("https://"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("PARLEY_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("PARLEY_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Limits on what the outside world may send us.
PARLEY_MAX_ATTACHMENT_BYTES = env_int("PARLEY_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024)
PARLEY_MAX_WEBHOOK_BYTES = env_int("PARLEY_MAX_WEBHOOK_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = PARLEY_MAX_ATTACHMENT_BYTES + 1024 * 1024
# Whole messages, attachments included: larger mail is recorded as failed, headers only.
PARLEY_MAX_EMAIL_BYTES = env_int("PARLEY_MAX_EMAIL_BYTES", 30 * 1024 * 1024)
# New conversations one address may open per hour on a mailbox; more is a mail storm.
PARLEY_EMAIL_SENDER_LIMIT = env_int("PARLEY_EMAIL_SENDER_LIMIT", 30)
# Parley's SMTP listener (`parley smtpd`, and inside `parley serve` when a port is set).
PARLEY_SMTP_HOST = env_str("PARLEY_SMTP_HOST", "127.0.0.1")
PARLEY_SMTP_PORT = env_int("PARLEY_SMTP_PORT", 0)
PARLEY_SMTP_HOSTNAME = env_str("PARLEY_SMTP_HOSTNAME", "parley.localhost")
PARLEY_DEFAULT_REGION = env_str("PARLEY_DEFAULT_REGION", "US")
# Meta's Graph API (Messenger, Instagram, WhatsApp). Tests point it at a local fake.
PARLEY_GRAPH_API_URL = env_str("PARLEY_GRAPH_API_URL", "https://graph.facebook.com").rstrip("/")
PARLEY_GRAPH_API_VERSION = env_str("PARLEY_GRAPH_API_VERSION", "v23.0")

TASKS = {
    "default": {
        "BACKEND": env_str("PARLEY_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
PARLEY_WORKER_INTERVAL = float(env_str("PARLEY_WORKER_INTERVAL", "0.2"))
# Tasks every worker enqueues on a schedule (core/clock.py): dotted path → seconds.
PARLEY_PERIODIC_TASKS: dict[str, int] = {
    "parley.automation.tasks.distribute_conversations": 60,
    "parley.automation.tasks.run_time_rules": 60,
    "parley.sla.tasks.check_sla_breaches": 60,
    # Waiting time and SLA due times move scores on.
    "parley.triage.tasks.rescore_waiting_conversations": 300,
}
# How far ahead the inbox's "Breaching soon" view looks.
PARLEY_SLA_SOON_MINUTES = env_int("PARLEY_SLA_SOON_MINUTES", 30)

REDIS_URL = env_str("PARLEY_REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# Parley's own mail (rule notifications) leaves through this SMTP server; channels' replies
# use each mailbox's settings instead.
EMAIL_HOST = env_str("PARLEY_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("PARLEY_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("PARLEY_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("PARLEY_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("PARLEY_EMAIL_STARTTLS", False)
EMAIL_USE_SSL = env_bool("PARLEY_EMAIL_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("PARLEY_EMAIL_STARTTLS and PARLEY_EMAIL_SSL: set one, not both")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("PARLEY_EMAIL_FROM", "parley@localhost")
# Slack and webhook URLs may be plain http:// or loopback (development and tests only).
PARLEY_NOTIFY_ALLOW_LOCAL = env_bool("PARLEY_NOTIFY_ALLOW_LOCAL", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("PARLEY_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django_tasks_db": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}
