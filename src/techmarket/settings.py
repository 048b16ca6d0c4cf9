"""Settings, read from the environment (see README, "Configuration").

Defaults are safe for production (DEBUG off, only loopback hosts allowed); `make run` needs no variable set:
it uses a SQLite file and a generated secret key under the data directory.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import csp.constants
import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("TECHMARKET_DATA_DIR", PROJECT_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data directory."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",  # log-in throttling (AXES_* below)
    "csp",  # Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    "ninja",  # serves the API docs page's Swagger UI from its bundled static files, not a CDN
    "techmarket.common",
    "techmarket.accounts",
    "techmarket.directory",
    "techmarket.catalogue",
    "techmarket.matching",
    "techmarket.policy",
    "techmarket.market",
    "techmarket.indicators",
    "techmarket.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "techmarket.common.middleware.AtomicWritesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "techmarket.urls"
WSGI_APPLICATION = "techmarket.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'techmarket.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite as an embedded database for concurrent use: write-ahead log (readers never wait for the writer),
    # a busy timeout (a writer waits for the one before it instead of failing), and IMMEDIATE transactions
    # (a transaction takes the write lock when it begins, so two transactions never deadlock upgrading a read
    # lock). Past the timeout the request fails whole with a "busy" message (techmarket.common.middleware).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses log-ins while locked out; first, as django-axes requires
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "display_name", "phone", "email")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "techmarket.accounts.validators.CharacterKindsValidator", "OPTIONS": {"min_kinds": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    ("vendor/bootstrap", PROJECT_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chartjs", PROJECT_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if _env_bool("TECHMARKET_PLAIN_STATIC", DEBUG):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# E-mail (techmarket.common.notifications). By default every message is written as a file under
# <data dir>/mail (nothing leaves the machine); EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with the
# EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS/EMAIL_USE_SSL variables sends
# through an SMTP server. TECHMARKET_SITE_URL (SITE_URL) makes the links in e-mails absolute.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "青海科技开放合作平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
TECHMARKET_SITE_URL = os.environ.get("SITE_URL", "")

# Where the platform's reviewed data files live (seed compilation, taxonomy, aliases, regions).
TECHMARKET_DATA_FILES = Path(os.environ.get("TECHMARKET_DATA_FILES", PROJECT_DIR / "data"))
TECHMARKET_SEED_FILE = TECHMARKET_DATA_FILES / "seed" / "qinghai-cooperation-compilation-2019.txt"

# Background jobs (embeddings): thread (default, in-process), inline, rq (Redis, REDIS_URL) or none.
TECHMARKET_JOBS = os.environ.get("TECHMARKET_JOBS", "thread")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# HTTPS (README, "Production"). SECURE_COOKIES=true says the site is served over HTTPS: cookies are sent over
# HTTPS only, plain-HTTP requests are redirected, and browsers are told (HSTS) to use HTTPS only.
# BEHIND_PROXY=true: a reverse proxy terminates TLS and sets X-Forwarded-Proto and X-Forwarded-For.
HTTPS = _env_bool("SECURE_COOKIES")
BEHIND_PROXY = _env_bool("BEHIND_PROXY")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = _env_bool("SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("HSTS_PRELOAD")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Asking browsers to preload HSTS is a decision for whoever owns the parent domain (HSTS_PRELOAD=true),
# not a default: its check (security.W021) is silenced unless asked for.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy (django-csp): only this site's own files. The one inline script (indicator
# charts) carries the request's nonce ({{ request.csp_nonce }}); style="" attributes are allowed, <style>
# elements and inline event handlers are not. Bootstrap's CSS draws some icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp.constants.NONCE],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Log-in throttling (django-axes): after LOGIN_FAILURE_LIMIT failed log-ins for one username from one client
# address, log-ins for that pair are refused (HTTP 429, accounts/locked.html), correct password or not, for
# LOGIN_COOLOFF_MINUTES; a success resets the count. Applies to the site's and the admin's log-in pages.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner on every command; lock-outs are still logged as warnings
AXES_CLIENT_IP_CALLABLE = "techmarket.accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "techmarket.accounts.throttling.lockout_response"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，已暂时锁定，请稍后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，已锁定，请联系工作人员解锁。"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
