"""Settings for gongkai: one module, every value from the environment.

Production differs from a local install only by environment values:

- ``GONGKAI_ENV``: ``local`` (default) or ``production``. In production a missing
  ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``GONGKAI_FIELD_KEYS`` or ``GONGKAI_BASE_URL`` stops
  the process at start,
  ``DEBUG`` cannot be on and HTTPS hardening is on unless ``GONGKAI_HTTPS=0``.
- ``DATABASE_URL``: default SQLite (WAL) in ``var/gongkai.sqlite3``; PostgreSQL in production.
- ``SECRET_KEY``: a local install generates one once into ``var/secret_key``.
- ``ALLOWED_HOSTS``: comma separated.
- ``GONGKAI_BASE_URL``: the site's public address, for e-mail links and feeds; required
  in production, ``http://127.0.0.1:8000`` locally.
- ``CACHE_URL``: ``redis://…`` for a shared cache; default an in-process cache. Required
  in production (rate limits must hold across workers).
- ``GONGKAI_TRUSTED_PROXIES``: the reverse proxies whose ``X-Forwarded-For`` is believed.
- ``GONGKAI_VAR_DIR``: where the local database, keys, media and collected static live.
- ``GONGKAI_TODAY``: pin the platform's "today" to a date (``YYYY-MM-DD``), for tests and
  training installs; refused in production.

In production every missing required variable is reported at once, one line each
(``MissingSettings``), so that an operator fixes them in one pass.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


class MissingSettings(ImproperlyConfigured):
    """Variables that production requires and the environment lacks: one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# In production, each missing required variable adds a line here; they are raised together
# at the end of this module instead of one traceback per attempt.
_missing: list[str] = []


def require(name: str, why: str) -> None:
    _missing.append(f"{name} must be set in production (GONGKAI_ENV=production): {why}")


GONGKAI_ENV = env("GONGKAI_ENV", "local")
if GONGKAI_ENV not in {"local", "production"}:
    raise ImproperlyConfigured("GONGKAI_ENV must be 'local' or 'production'")
PRODUCTION = GONGKAI_ENV == "production"

VAR_DIR = Path(env("GONGKAI_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret(filename: str, nbytes: int = 50) -> str:
    """Read a secret kept in var/, creating it once (readable by the owner only)."""
    path = VAR_DIR / filename
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        require("SECRET_KEY", "Django's signing key, kept in the secret store")
    else:
        SECRET_KEY = _local_secret("secret_key")

# Keys for personal data encrypted at rest (Fernet, urlsafe base64 of 32 bytes). The first
# encrypts; the others still decrypt, so keys can be rotated. Never in the repository.
FIELD_ENCRYPTION_KEYS = env_list("GONGKAI_FIELD_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        require("GONGKAI_FIELD_KEYS", "Fernet keys for applicants' personal data at rest")
    else:
        _key_path = VAR_DIR / "field_key"
        if not _key_path.exists():
            import base64

            fd = os.open(_key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        FIELD_ENCRYPTION_KEYS = [_key_path.read_text().strip()]

DEBUG = env_bool("DEBUG", False)
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured("DEBUG cannot be on in production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    require("ALLOWED_HOSTS", "the site's host names, comma separated")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Two-factor sign-in for staff: TOTP authenticator apps and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "gongkai.core",
    "gongkai.identity",
    "gongkai.tasks",
    "gongkai.foi",
    "gongkai.publishing",
    "gongkai.decisions",
    "gongkai.powerlists",
    "gongkai.consultations",
    "gongkai.interaction",
    "gongkai.conversions",
    "gongkai.workplans",
    "gongkai.channels",
    "gongkai.random_inspections",
    "gongkai.hotspots",
    "gongkai.reports",
    "gongkai.inspection",
    "gongkai.oversight",
    "gongkai.portal",
    "gongkai.answers",
    "gongkai.demo",  # last: the demo site loads every app's demo data
]

MIDDLEWARE = [
    # X-Forwarded-Proto believed only from GONGKAI_TRUSTED_PROXIES (before the HTTPS redirect).
    "gongkai.core.clientaddress.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Hostile bodies (size, charset, unparseable forms) refused before anything reads them.
    "gongkai.core.hostile_input.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gongkai.core.middleware.SecurityHeadersMiddleware",
    # Page-cache hits for visitors without a session cookie, before the session, CSRF and
    # authentication work they do not need (gongkai.portal.caching; stored further down).
    "gongkai.portal.caching.PageCacheHitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.otp_device from the session; then the back office refuses sessions
    # that still owe their second factor (gongkai.core.twofactor).
    "django_otp.middleware.OTPMiddleware",
    "gongkai.core.twofactor_middleware.TwoFactorMiddleware",
    "gongkai.core.middleware.ActiveMembershipMiddleware",
    # Anonymous public pages from the cache; what it stores is the page as converted
    # by the view preferences below it (gongkai.portal.caching).
    "gongkai.portal.caching.PageCacheMiddleware",
    "gongkai.portal.preferences.ViewPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gongkai.urls"
WSGI_APPLICATION = "gongkai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongkai" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongkai.core.context_processors.staff_shell",
                "gongkai.portal.preferences.context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongkai.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: writers take the lock at BEGIN, so two writers never deadlock on the
        # read-to-write upgrade (the audit chain's append depends on this).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Connections kept for a minute on both backends: on SQLite too a new connection per
# request (its PRAGMAs) cost milliseconds of every uncached page (issue 20, part 6).
DATABASES["default"]["CONN_MAX_AGE"] = int(env("DB_CONN_MAX_AGE", "60"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# --- Cache ----------------------------------------------------------------------------
# Rate limits are shared by every worker only through a shared cache: production needs one.
CACHE_URL = env("CACHE_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis:// URL")
    # Fail fast when Redis is down: a connection attempt waits at most this long (seconds),
    # and then the portal serves pages uncached and counts rate limits in the database
    # (gongkai.core.cachehealth) instead of holding every request for seconds. A reply may
    # take longer: a busy host answers slowly, and a false "down" costs five seconds uncached.
    _cache_timeout = float(env("GONGKAI_CACHE_TIMEOUT", "0.25"))
    _cache_reply_timeout = float(env("GONGKAI_CACHE_REPLY_TIMEOUT", "1.0"))
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "gongkai",
            "OPTIONS": {
                "socket_connect_timeout": _cache_timeout,
                "socket_timeout": _cache_reply_timeout,
            },
        }
    }
else:
    if PRODUCTION:
        require("CACHE_URL", "a shared Redis (redis://host:6379/0), so that rate limits and "
                "sign-in throttles hold across every worker")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Limits: client addresses and sign-in throttles (issue 15) ------------------------
# Proxies whose X-Forwarded-For is believed: addresses or CIDR networks, comma separated
# (e.g. "10.0.0.5,10.1.0.0/24"). Default none: the client is the connection's peer.
GONGKAI_TRUSTED_PROXIES = env_list("GONGKAI_TRUSTED_PROXIES")
for _proxy in GONGKAI_TRUSTED_PROXIES:
    import ipaddress as _ipaddress

    try:
        _ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"GONGKAI_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network"
        ) from None
# At most this many failed sign-ins from one client address (an IPv6 /64) within the
# window, over all user names, beside the per-account lock below.
GONGKAI_SIGNIN_ADDRESS_MAX_FAILURES = int(env("GONGKAI_SIGNIN_ADDRESS_MAX_FAILURES", "30"))
GONGKAI_SIGNIN_ADDRESS_WINDOW_MINUTES = int(env("GONGKAI_SIGNIN_ADDRESS_WINDOW_MINUTES", "15"))

# --- Sign-in security (等保 level 3 expectations) -------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "gongkai.core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gongkai.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "staff:sign-in"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Lock an account after repeated failed sign-ins (per user name, within a window).
GONGKAI_SIGNIN_MAX_FAILURES = int(env("GONGKAI_SIGNIN_MAX_FAILURES", "5"))
GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES = int(env("GONGKAI_SIGNIN_FAILURE_WINDOW_MINUTES", "15"))
GONGKAI_SIGNIN_LOCKOUT_MINUTES = int(env("GONGKAI_SIGNIN_LOCKOUT_MINUTES", "30"))

# Sessions end after 30 minutes without activity; every request slides the window.
SESSION_COOKIE_AGE = int(env("GONGKAI_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
GONGKAI_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

HTTPS = env_bool("GONGKAI_HTTPS", PRODUCTION)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("GONGKAI_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("GONGKAI_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GONGKAI_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("GONGKAI_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# HSTS preload is the registrable domain's owner's decision (a gov.cn sub-domain cannot
# submit itself); GONGKAI_HSTS_PRELOAD=1 still turns it on.
# models.W040: pub_public_by_day carries INCLUDE columns for PostgreSQL; SQLite builds it
# as a plain partial index, which is what it should do there, not a fault to warn of.
SILENCED_SYSTEM_CHECKS = ["security.W021", "models.W040"]

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "gongkai" / "static"]
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded files (attachments, reply letters): var/media by default; S3-compatible object
# storage in production when GONGKAI_S3_BUCKET is set (pip install "gongkai[s3]").
GONGKAI_S3_BUCKET = env("GONGKAI_S3_BUCKET")
if GONGKAI_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": GONGKAI_S3_BUCKET,
            "endpoint_url": env("GONGKAI_S3_ENDPOINT_URL"),
            "region_name": env("GONGKAI_S3_REGION"),
            "access_key": env("GONGKAI_S3_ACCESS_KEY"),
            "secret_key": env("GONGKAI_S3_SECRET_KEY"),
            "default_acl": "private",
            "querystring_auth": True,  # downloads go through signed, expiring URLs
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    # Fingerprinted, compressed files served by WhiteNoise; built by `gongkai serve`.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# --- Request bodies (gongkai.core.hostile_input) ----------------------------------------
# The largest body a request may send: refused with 413 from its Content-Length before it
# is read, and while reading one sent without a length. The first pattern matching the
# path wins; elsewhere (plain forms, JSON) Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
# Paths taking uploads get their files' rules plus room for the fields (a test keeps these
# in step with foi.forms, foi.services.replies and the report checker).
GONGKAI_BODY_LIMITS = [
    # a request for information: 5 attachments of 10 MB (foi.forms) and the fields
    (r"^/apply/$", 52 * 1024 * 1024),
    (r"^/api/v1/foi/requests$", 52 * 1024 * 1024),
    # the public annual-report checker (年报体检): the request form's 5 files of 10 MB
    (r"^/annual-report-check/$", 52 * 1024 * 1024),
    # the back office: disclosed files and items' attachments (20 MB each), the report
    # checker's batch (50 MB), imports; and the platform administration
    (r"^/staff/", 110 * 1024 * 1024),
    (r"^/admin/", 110 * 1024 * 1024),
]
# Uploads stay in memory (bounded by the limits above), never in a temporary file: an
# applicant's ID scan must reach the disk only encrypted (gongkai.core.encrypted_storage).
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = max(limit for _, limit in GONGKAI_BODY_LIMITS)

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
# Seconds an SMTP exchange may hang: a delivery e-mail is only started when it can end
# within its sending window (foi.delivery), so it must not hang for ever.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "gongkai@localhost")
# The platform's name in page titles and headers (e.g. "青岚市政府信息公开平台"); empty:
# "政府信息公开平台".
GONGKAI_SITE_NAME = env("GONGKAI_SITE_NAME", "")
# Text messages to applicants (gongkai.core.sms): a dotted path to a backend class, e.g.
# gongkai.core.sms.ConsoleBackend; empty sends none (docs/notifications.md).
GONGKAI_SMS_BACKEND = env("GONGKAI_SMS_BACKEND", "")
# Delivery by e-mail (gongkai.foi.delivery): letters and disclosed files are attached up
# to this many bytes in all; above it the message carries a link valid for 30 days.
GONGKAI_DELIVERY_ATTACHMENT_LIMIT = int(env("GONGKAI_DELIVERY_ATTACHMENT_LIMIT", str(10 * 1024 * 1024)))

# --- Two-factor sign-in (gongkai.core.twofactor) ----------------------------------------
# TOTP is required for platform administrators, reviewers, leaders and supervising offices
# signing in with a local password, and for every member of an agency whose policy asks
# for it. Always enforced: there is deliberately no switch to turn it off.
OTP_TOTP_ISSUER = GONGKAI_SITE_NAME or "政府信息公开平台"
# Minutes between a password accepted and the second factor (or enrolment) completed.
GONGKAI_TWO_FACTOR_PENDING_MINUTES = int(env("GONGKAI_TWO_FACTOR_PENDING_MINUTES", "10"))
# An external identity provider's sign-in counts as two-factor only if its ID token's
# `acr` is one of GONGKAI_SSO_REQUIRED_ACR (when that list is set) and its `amr` holds one
# of GONGKAI_SSO_REQUIRED_AMR (when that list is set); with both empty nothing counts.
GONGKAI_SSO_REQUIRED_ACR = env_list("GONGKAI_SSO_REQUIRED_ACR")
GONGKAI_SSO_REQUIRED_AMR = env_list("GONGKAI_SSO_REQUIRED_AMR", "mfa,otp,hwk")

# --- Sign-in through an identity provider (gongkai.identity) ------------------------------
# OpenID Connect, two providers at most: GONGKAI_OIDC_STAFF_* (the province's unified
# identity platform, back office) and GONGKAI_OIDC_PUBLIC_* (government-service accounts,
# applicants). A provider is on when its CLIENT_ID is set; endpoints are explicit.
def _oidc_provider(prefix: str, label: str, **extra) -> dict | None:
    if not env(f"{prefix}CLIENT_ID"):
        return None
    names = ("AUTHORIZATION_ENDPOINT", "TOKEN_ENDPOINT", "USERINFO_ENDPOINT", "JWKS_ENDPOINT",
             "CLIENT_SECRET")
    for name in names:
        if not env(prefix + name):
            raise ImproperlyConfigured(f"{prefix}CLIENT_ID is set: {prefix}{name} is required")
    return {
        "label": env(f"{prefix}LABEL", label),
        "authorization_endpoint": env(f"{prefix}AUTHORIZATION_ENDPOINT"),
        "token_endpoint": env(f"{prefix}TOKEN_ENDPOINT"),
        "userinfo_endpoint": env(f"{prefix}USERINFO_ENDPOINT"),
        "jwks_endpoint": env(f"{prefix}JWKS_ENDPOINT"),
        "client_id": env(f"{prefix}CLIENT_ID"),
        "client_secret": env(f"{prefix}CLIENT_SECRET"),
        "scopes": env(f"{prefix}SCOPES", "openid profile email"),
        "issuer": env(f"{prefix}ISSUER", ""),
        "sign_algo": env(f"{prefix}SIGN_ALGO", "RS256"),
        **extra,
    }


GONGKAI_OIDC_PROVIDERS = {
    key: config for key, config in {
        "staff": _oidc_provider(
            "GONGKAI_OIDC_STAFF_", "统一身份认证登录",
            # The claim that names the person, and the User field it must equal.
            match_claim=env("GONGKAI_OIDC_STAFF_MATCH_CLAIM", "email"),
            match_field=env("GONGKAI_OIDC_STAFF_MATCH_FIELD", "email"),
            # Matching on "email": the first link needs email_verified true in the ID token,
            # unless the platform vouches for every address (nobody can set one they do not own).
            trust_email=env_bool("GONGKAI_OIDC_STAFF_TRUST_EMAIL", False),
        ),
        "public": _oidc_provider(
            "GONGKAI_OIDC_PUBLIC_", "政务服务账号登录",
            claims={
                "name": env("GONGKAI_OIDC_PUBLIC_NAME_CLAIM", "name"),
                "id_number": env("GONGKAI_OIDC_PUBLIC_ID_NUMBER_CLAIM", "id_number"),
                "phone": env("GONGKAI_OIDC_PUBLIC_PHONE_CLAIM", "phone_number"),
                "email": env("GONGKAI_OIDC_PUBLIC_EMAIL_CLAIM", "email"),
            },
        ),
    }.items() if config
}
# Staff sign in with a local password too, unless a deployment turns that off (when every
# member of staff signs in through the identity platform; platform administrators keep
# `gongkai` commands to recover).
GONGKAI_LOCAL_PASSWORDS = env_bool("GONGKAI_LOCAL_PASSWORDS", True)
# Staff sign-in through the identity platform (gongkai.identity): its backends open the
# sessions a provider sign-in starts; they act only when called by its callback views.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "gongkai.identity.oidc.StaffOIDCBackend",
    "gongkai.identity.cas.StaffCASBackend",
]
# CAS instead of (or besides) OpenID Connect for staff: on when GONGKAI_CAS_SERVER_URL is
# set (https://cas.example.gov.cn/cas/). django-cas-ng's client validates the tickets;
# the person is matched like the OIDC one (GONGKAI_CAS_MATCH_ATTRIBUTE, "user" for the CAS
# user name, against the User field GONGKAI_CAS_MATCH_FIELD). No user is created.
GONGKAI_CAS_SERVER_URL = env("GONGKAI_CAS_SERVER_URL", "")
GONGKAI_CAS_VERSION = env("GONGKAI_CAS_VERSION", "3")
GONGKAI_CAS_LABEL = env("GONGKAI_CAS_LABEL", "统一身份认证（CAS）登录")
GONGKAI_CAS_MATCH_ATTRIBUTE = env("GONGKAI_CAS_MATCH_ATTRIBUTE", "user")
GONGKAI_CAS_MATCH_FIELD = env("GONGKAI_CAS_MATCH_FIELD", "username")
# CAS attributes that show a second factor, e.g. "authnContextClass=mfa-duo" (attribute=value,
# comma-separated); empty: a CAS sign-in never counts as two-factor.
GONGKAI_CAS_SECOND_FACTOR = env_list("GONGKAI_CAS_SECOND_FACTOR")
# A supervising office (公开办 of an agency above) manages the people and departments of the
# agencies below it too; off, each agency's office manages its own (gongkai.core.permissions).
GONGKAI_SUPERVISORS_MANAGE_PEOPLE = env_bool("GONGKAI_SUPERVISORS_MANAGE_PEOPLE", False)

# The site's public address (``https://gongkai.example.gov.cn``): links in e-mails
# (notices, report reminders), which have no request to take a host from, and the
# canonical address in feeds, the sitemap, robots.txt and the API. Required in production,
# so that nothing sent or published there points at a developer's machine.
GONGKAI_BASE_URL = (env("GONGKAI_BASE_URL") or "").strip().rstrip("/")
if not GONGKAI_BASE_URL:
    if PRODUCTION:
        require("GONGKAI_BASE_URL", "the site's public address, e.g. https://gongkai.example.gov.cn")
    else:
        GONGKAI_BASE_URL = "http://127.0.0.1:8000"
if GONGKAI_BASE_URL and not GONGKAI_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("GONGKAI_BASE_URL must start with http:// or https://")

# --- Website self-inspection (gongkai.inspection) --------------------------------------
# The daily check renders the agencies' own pages in-process; external links are fetched
# only when a fetcher is named (e.g. gongkai.inspection.fetchers.HttpFetcher), and only
# for the hosts listed (".gov.cn" is the domain and its sub-domains). Off by default: no
# network at runtime unless the operator asks for it.
GONGKAI_INSPECTION_FETCHER = env("GONGKAI_INSPECTION_FETCHER") or None
GONGKAI_INSPECTION_ALLOWED_HOSTS = env_list("GONGKAI_INSPECTION_ALLOWED_HOSTS")

# --- Audit trail anchors (gongkai audit anchor) ---------------------------------------
# `gongkai audit anchor FILE` appends the chain head to FILE and hands the same line to
# each sink: dotted paths of callables taking a gongkai.core.audit_anchor.Anchor. Default:
# the e-mail sink when GONGKAI_AUDIT_ANCHOR_EMAILS (comma separated) is set, else none.
GONGKAI_AUDIT_ANCHOR_EMAILS = env_list("GONGKAI_AUDIT_ANCHOR_EMAILS")
GONGKAI_AUDIT_ANCHOR_SINKS = env_list(
    "GONGKAI_AUDIT_ANCHOR_SINKS",
    "gongkai.core.audit_anchor.email_sink" if GONGKAI_AUDIT_ANCHOR_EMAILS else "",
)

# --- Backups (gongkai backup / gongkai restore) ---------------------------------------
# The backup manifest's HMAC key is derived from GONGKAI_BACKUP_KEY, or from SECRET_KEY
# when it is unset; restoring on another machine needs the same value. A dedicated key
# lets SECRET_KEY be rotated without invalidating old backups. GONGKAI_PG_BIN_DIR: where
# pg_dump/pg_restore of the server's major version live (default: PATH).
GONGKAI_BACKUP_KEY = env("GONGKAI_BACKUP_KEY")
GONGKAI_PG_BIN_DIR = env("GONGKAI_PG_BIN_DIR")

# --- Task queue (gongkai.tasks) -------------------------------------------------------
# Heavy and scheduled work runs on Celery workers fed through a database outbox. The broker
# is Redis (TASK_BROKER_URL, default redis://127.0.0.1:6379/1 in production; db 0 is the
# cache). Unset locally: each task runs in the web process right after its commit.
TASK_BROKER_URL = env("TASK_BROKER_URL", "redis://127.0.0.1:6379/1" if PRODUCTION else None)
if TASK_BROKER_URL and not TASK_BROKER_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("TASK_BROKER_URL must be a redis:// URL")
# A task is tried at most this many times, waiting TASK_RETRY_BACKOFF · 2^(n-1) seconds
# (at most TASK_RETRY_BACKOFF_MAX, with full jitter) between tries; then it is "failed"
# and listed for the platform administrator (Django admin → 后台任务).
TASK_MAX_ATTEMPTS = int(env("TASK_MAX_ATTEMPTS", "5"))
TASK_RETRY_BACKOFF = int(env("TASK_RETRY_BACKOFF", "30"))
TASK_RETRY_BACKOFF_MAX = int(env("TASK_RETRY_BACKOFF_MAX", "3600"))
TASK_RETRY_JITTER = True
# How long a worker's claim on a task holds (longer than the longest job, the nightly
# site check), and after how long a sent but unsettled task is sent again by the relay.
TASK_LEASE_SECONDS = int(env("TASK_LEASE_SECONDS", "10800"))
TASK_RESEND_AFTER_SECONDS = int(env("TASK_RESEND_AFTER_SECONDS", "3600"))
CELERY_BROKER_URL = TASK_BROKER_URL or "memory://"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_DEFAULT_QUEUE = "gongkai"
CELERY_TASK_IGNORE_RESULT = True  # the outbox row is the result
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
# Longer than the longest retry delay, so Redis does not hand a waiting retry out again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1.0,
    "socket_timeout": 5.0,
    "visibility_timeout": max(2 * TASK_RETRY_BACKOFF_MAX, 7200),
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Serving --------------------------------------------------------------------------
GONGKAI_WORKERS = int(env("GONGKAI_WORKERS", "2"))
GONGKAI_THREADS = int(env("GONGKAI_THREADS", "4"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No applicant's status secret in any log line, should a client put one in an address.
    "filters": {"redact_secrets": {"()": "gongkai.core.logfilters.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # PDF rendering logs every font it subsets at INFO; only problems are worth a line.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}


# --- The platform's "today" -------------------------------------------------------------
# GONGKAI_TODAY moves gongkai.core.clock to that date (time of day still runs), for test
# runs on a chosen date and for training installs; never in production, where deadlines
# must follow the real calendar.
GONGKAI_TODAY = None
if env("GONGKAI_TODAY"):
    import datetime as _dt

    try:
        GONGKAI_TODAY = _dt.date.fromisoformat(env("GONGKAI_TODAY").strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"GONGKAI_TODAY must be a date YYYY-MM-DD, not {env('GONGKAI_TODAY')!r}"
        ) from None
    if PRODUCTION:
        raise ImproperlyConfigured("GONGKAI_TODAY cannot be set in production")

if _missing:
    raise MissingSettings(_missing)
