"""MSS Tracker settings: environment variables only (see README, Configuration)."""

import datetime
import os
import secrets
import sys
from pathlib import Path

from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from mss_tracker.lib.env import (
    envbool,
    envcache,
    envchoice,
    envdatabase,
    envint,
    envlist,
    envnetworks,
    envorigins,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# `demo` switches DEBUG on by default (and so does the test suite, settings_for_tests.py);
# everything else is production.
COMMAND = sys.argv[1] if len(sys.argv) > 1 and sys.argv[0].endswith("manage.py") else None
DEBUG = envbool("DEBUG", default=COMMAND == "demo")

# Secrets and host names matter to a process that answers HTTP (gunicorn, runserver) and
# to `check --deploy`; a one-off command such as `import_csv` or `migrate` signs nothing.
SERVES_HTTP = COMMAND is None or COMMAND in ("runserver", "check")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and SERVES_HTTP:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "insecure-key-for-debug-and-one-off-commands-" + secrets.token_urlsafe(16)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and SERVES_HTTP and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off (comma-separated host names)."
    )
# The public origin(s) when the app sits behind a proxy on another host name or port.
CSRF_TRUSTED_ORIGINS = envorigins("CSRF_TRUSTED_ORIGINS")

# HTTPS only in production. Behind a proxy that terminates TLS, set
# USE_X_FORWARDED_PROTO=true so Django believes the proxy's X-Forwarded-Proto header
# (and only then: a client could send it too), otherwise SSL redirect loops forever.
if envbool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
# These two bind every subdomain of the site's domain too: the operator opts in.
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy, on every response: scripts and styles come only from this
# site's own files; no inline script, style attribute or eval (htmx is configured in
# base.html to need neither). The admin's few inline <script>/<style> elements carry the
# per-response nonce that Django's admin templates add ({% csp_nonce_attr %}).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks_db",
    "django_mfa",
    "mss_tracker.tracker",
    "mss_tracker.accounts",
    "mss_tracker.dashboards",
]
# The measuring tools (mss_tracker/bench: `manage.py bench`, `generate_data`; see
# docs/performance.md) are development code: installed with DEBUG on (development, `demo`,
# the tests) or for a run of their own commands, never in a server with DEBUG off.
MEASURING_COMMANDS = ("bench", "generate_data")
if DEBUG or COMMAND in MEASURING_COMMANDS:
    INSTALLED_APPS.append("mss_tracker.bench")

MIDDLEWARE = [
    # First, so that it sees every answer last: a HEAD request's goes without its body.
    "mss_tracker.lib.methods.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The page's language from its URL (/fr/…, /ht/…); see dashboards/languages.py.
    # Early, so that every answer, a refused one too, is in the URL's language.
    "mss_tracker.dashboards.languages.LanguageMiddleware",
    # Before anything can put a NUL byte from the URL into a database query.
    "mss_tracker.lib.bad_requests.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session past its limits is signed out before anything else sees it (accounts/).
    "mss_tracker.accounts.sessions.SessionLimitsMiddleware",
    # A signed-in account that owes its second factor reaches only the second-factor pages.
    "django_mfa.middleware.MfaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mss_tracker.lib.bad_requests.BadParameterMiddleware",
    "mss_tracker.lib.not_found.SiteNotFoundPageMiddleware",
    # The audit history records request.user as the author of every admin write.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A write that found the database busy (SQLite, during a large import) is a 503 page
    # that says so, not a 500 (lib/busy.py).
    "mss_tracker.lib.busy.BusyDatabaseMiddleware",
    # Turns a locked-out login into the lockout page (last, as django-axes asks).
    "axes.middleware.AxesMiddleware",
]
# DASHBOARDS_REQUIRE_LOGIN: the dashboards and exports for logged-in staff only (an
# embargo, a private instance). Off by default: the tracker is built to be read by the
# public. Django's LoginRequiredMiddleware then sends visitors to the admin's login page;
# the health check (and the login page itself) are marked @login_not_required.
LOGIN_URL = "admin:login"
# Where a page with no "next" sends a signed-in account, such as the second factor's
# "Done" after the recovery codes: the admin, the only place staff sign in for.
LOGIN_REDIRECT_URL = "admin:index"
if envbool("DASHBOARDS_REQUIRE_LOGIN", default=False):
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
    )

ROOT_URLCONF = "mss_tracker.urls"
WSGI_APPLICATION = "mss_tracker.wsgi.application"

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
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": envdatabase(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 600, minimum=0),
        # PostgreSQL under gunicorn: a psycopg pool per worker. While the database restarts,
        # a request waits up to DATABASE_POOL_TIMEOUT seconds for a fresh connection instead
        # of failing. One-off commands and tests keep plain connections.
        pool_size=envint("DATABASE_POOL_SIZE", 4 if "gunicorn" in sys.modules else 0, minimum=0),
        pool_timeout=envint("DATABASE_POOL_TIMEOUT", 5, minimum=1),
        # SQLite: how long a write waits for another (an import holds the one write lock
        # until it commits) before the page says the database is busy (lib/busy.py).
        busy_timeout=envint("DATABASE_BUSY_TIMEOUT", 5, minimum=0),
    ),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Login throttling (django-axes): AXES_FAILURE_LIMIT failed logins for one username from
# one address lock that pair, and only that pair, for AXES_COOLOFF_MINUTES; the same
# username from elsewhere and other usernames from the same address still get in, so
# one proxy or office address cannot lock everyone out. On a connection from one of the
# FORWARDED_ALLOW_IPS proxies (the list gunicorn.conf.py gives gunicorn too) the address
# is taken from X-Forwarded-For; on any other, the header is ignored (lib/throttling.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_RESET_ON_SUCCESS = True
FORWARDED_ALLOW_IPS = envnetworks("FORWARDED_ALLOW_IPS")
if os.environ.get("TRUSTED_PROXY_COUNT", "").strip():
    # Its replacement is a list of addresses: a count trusted X-Forwarded-For from anyone.
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT is no longer read: list the proxies' addresses in "
        "FORWARDED_ALLOW_IPS instead (e.g. FORWARDED_ALLOW_IPS=127.0.0.1 for a proxy on "
        "this machine)."
    )
AXES_CLIENT_IP_CALLABLE = "mss_tracker.lib.throttling.client_ip"
AXES_USERNAME_CALLABLE = "mss_tracker.lib.throttling.client_username"
AXES_LOCKOUT_CALLABLE = "mss_tracker.lib.throttling.lockout_response"

# Failed logins are kept beside the successful ones (axes' access logs, in the admin), and
# both are deleted after SIGN_IN_RECORDS_DAYS by `manage.py prune_sign_in_records`.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
SIGN_IN_RECORDS_DAYS = envint("SIGN_IN_RECORDS_DAYS", 365, minimum=1)

# Staff accounts (docs/staff-accounts.md). STAFF_SECOND_FACTOR: every account that can open
# the admin needs a second factor (django-mfa: an authenticator app, recovery codes, and
# security keys or passkeys where WEBAUTHN_RP_ID names the site's host). On whenever DEBUG
# is off; decided here, once, because pytest-django switches DEBUG off while tests run.
STAFF_SECOND_FACTOR = envbool("STAFF_SECOND_FACTOR", default=not DEBUG)
MFA_PROTECT_ADMIN = STAFF_SECOND_FACTOR
MFA_ISSUER_NAME = "MSS Tracker"
MFA_BASE_TEMPLATE = "accounts/second_factor_base.html"
# The library's own attempt limits count per client address: the same address as axes.
MFA_CLIENT_IP_RESOLVER = "mss_tracker.lib.throttling.client_ip"
# A signed-in account that owes its second factor may still sign out.
MFA_EXEMPT_PATHS = ["/admin/logout/"]
MFA_FIDO2_RP_ID = os.environ.get("WEBAUTHN_RP_ID", "").strip() or None
MFA_FIDO2_RP_NAME = "MSS Tracker"
MFA_FACTORS = ["totp", "recovery_codes", *(["webauthn"] if MFA_FIDO2_RP_ID else [])]
if MFA_FIDO2_RP_ID:
    AUTHENTICATION_BACKENDS.append("django_mfa.backends.WebAuthnBackend")
# Sessions end after a working day without activity, and after a week in all.
STAFF_SESSION_IDLE_HOURS = envint("STAFF_SESSION_IDLE_HOURS", 8, minimum=1)
STAFF_SESSION_MAX_DAYS = envint("STAFF_SESSION_MAX_DAYS", 7, minimum=1)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_DAYS * 86_400

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The public pages in English (unprefixed), French (/fr/) and Haitian Creole (/ht/);
# docs/rules.md, "Languages". Django has no Creole locale: mss_tracker/formats/ht/ gives its
# number and date forms, locale/ht/ its words, and LANG_INFO its name (below).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ht", "Kreyòl ayisyen")]
LANG_INFO["ht"] = {
    "bidi": False,
    "code": "ht",
    "name": "Haitian Creole",
    "name_local": "Kreyòl ayisyen",
}
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our dates ("2 Oct 2025", "2 oct. 2025", "2 oktòb 2025") and the Creole number forms.
FORMAT_MODULE_PATH = ["mss_tracker.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Audit history: a CSV import's reason names its file, which can be longer than 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Largest CSV file accepted by the admin upload and `import_csv`.
# How long a dashboard page or summary CSV may be served from the page cache. Entries are
# keyed on a data version that every write bumps, so this bounds memory, not staleness;
# and on the day, so a day is the most an entry can be of use. Unset: an hour in
# production, off with DEBUG (see dashboards/caching.py); the test settings turn it off.
if os.environ.get("DASHBOARD_CACHE_SECONDS", "").strip():
    DASHBOARD_CACHE_SECONDS = envint("DASHBOARD_CACHE_SECONDS", 3600, minimum=0, maximum=86400)
# The largest answer the page cache keeps (uncompressed); a larger one is served uncached.
DASHBOARD_CACHE_MAX_BYTES = envint("DASHBOARD_CACHE_MAX_BYTES", 1024 * 1024, minimum=0)
# The page cache: one per process by default; CACHE_URL=redis://host:6379/1 shares one Redis
# database between every server and worker, so each page is computed once for all of them.
# A Redis call gives up after CACHE_TIMEOUT_MS; after a failure the page cache is left
# alone for CACHE_RETRY_SECONDS, pages served uncached meanwhile (dashboards/caching.py).
CACHE_TIMEOUT_MS = envint("CACHE_TIMEOUT_MS", 250, minimum=1)
CACHE_RETRY_SECONDS = envint("CACHE_RETRY_SECONDS", 30, minimum=0)
CACHES = {"default": envcache("CACHE_URL", timeout=CACHE_TIMEOUT_MS / 1000)}

# Background tasks (Django's django.tasks): the preview and import of uploaded CSV files.
# The queue is a table in this same database (django-tasks-db), so every app server can
# enqueue and any worker (`manage.py db_worker`) can take the task. The test suite runs
# each task at once, inside the request that enqueues it (settings_for_tests.py);
# tests/test_two_servers.py runs the real worker (`manage.py db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CSV_IMPORT_MAX_BYTES = envint("CSV_IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
# Uploads kept in the database until they are imported, cancelled or expire (a day): at most
# CSV_IMPORT_MAX_PENDING waiting per editor (a preview, one to confirm, one interrupted),
# and at most CSV_IMPORT_STORED_MAX_BYTES of them (as uploaded) for all editors together.
# An upload past either is refused with a message that names the limit (import_jobs.py).
CSV_IMPORT_MAX_PENDING = envint("CSV_IMPORT_MAX_PENDING", 5, minimum=1)
CSV_IMPORT_STORED_MAX_BYTES = envint(
    "CSV_IMPORT_STORED_MAX_BYTES", 250 * 1024 * 1024, minimum=CSV_IMPORT_MAX_BYTES
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOG_LEVEL = envchoice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"one_line": {"()": "mss_tracker.lib.bad_requests.OneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler only speaks when DEBUG is on; ours always does.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # A wrong Host header is a scanner's everyday request: one line, not a traceback.
        "django.security.DisallowedHost": {"filters": ["one_line"]},
    },
}
