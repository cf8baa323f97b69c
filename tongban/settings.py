"""Tongban's settings: one module, every value from the environment.

Each variable is documented in docs/operations.md. TONGBAN_ENV chooses the defaults:
``development`` (the demo that ``make run`` serves), ``test`` (the suite), ``production``.
"""

import ipaddress
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tongban import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.text("TONGBAN_VAR_DIR", str(BASE_DIR / "var")))

TONGBAN_ENV = env.text("TONGBAN_ENV", "development")
if TONGBAN_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"TONGBAN_ENV must be development, test or production, not {TONGBAN_ENV!r}"
    )
PRODUCTION = TONGBAN_ENV == "production"

DEBUG = env.flag("DEBUG", default=TONGBAN_ENV == "development")

if env.text("SECRET_KEY"):
    SECRET_KEY = env.text("SECRET_KEY")
elif PRODUCTION:
    raise ImproperlyConfigured("SECRET_KEY must be set when TONGBAN_ENV=production")
elif TONGBAN_ENV == "test":
    SECRET_KEY = "test-only-not-a-secret"
else:
    SECRET_KEY = env.demo_secret(VAR_DIR)
DEMO_SECRET_FILE = VAR_DIR / "secret_key"

ALLOWED_HOSTS = env.words("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
# Reverse proxies (addresses or networks) whose X-Real-IP names the client: nginx on the app
# machine, 127.0.0.1 (docs/operations.md). Empty: REMOTE_ADDR is the socket peer.
TRUSTED_PROXIES = env.words("TRUSTED_PROXIES", "127.0.0.1,::1" if PRODUCTION else "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address") from _error
CSRF_TRUSTED_ORIGINS = env.words("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tongban.admin_site.TongbanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "tongban.core",
    "tongban.identity",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "oauth2_provider",
    "tongban.org",
    "tongban.registry",
    "tongban.audit",
    "tongban.catalog",
    "tongban.workflow",
    "tongban.notify",
    "tongban.cases",
    "tongban.signing",
    "tongban.licenses",
    "tongban.archives",
    "tongban.bundles",
    "tongban.payments",
    "tongban.logistics",
    "tongban.reviews",
    "tongban.metrics",
    "tongban.gateway",
    "tongban.portal",
    "tongban.kiosk",
]

MIDDLEWARE = [
    # REMOTE_ADDR becomes the client's own address when a trusted proxy forwarded the request.
    "tongban.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Logs every /api/ call with its total latency (tongban.gateway).
    "tongban.gateway.middleware.CallLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Renews the idle timeout at most once a minute instead of writing on every request.
    "tongban.identity.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks requests from an enrolled self-service terminal (request.kiosk_terminal).
    "tongban.kiosk.middleware.KioskMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tongban" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.core.context_processors.platform",
                "tongban.portal.modes.ui",
            ],
        },
    },
]

# Databases: SQLite under var/ by default (WAL, immediate transactions so writers queue
# instead of failing), PostgreSQL in production and in CI's second run.
DATABASE_URL = env.text("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env.integer("CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["tongban.org.backends.RoleBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "identity:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tongban" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.text("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.text("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env.text("FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env.text(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.text("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.text("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.text("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "通办 <noreply@zhouzhi.gov.cn>")

REDIS_URL = env.text("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

# Background work through Django's Tasks API: the database backend by default, RQ on Redis
# for scale (TASKS_BACKEND=rq needs REDIS_URL), immediate for the test suite.
TASKS_BACKEND = env.text("TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
if TASKS_BACKEND == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL")
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND]}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")  # django-tasks-rq needs its queues (system check)
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
# A worker whose heartbeat is older than this is reported as not running by /healthz.
WORKER_STALE_SECONDS = env.integer("WORKER_STALE_SECONDS", 60)

# The audit chain is split into this many partitions so that writers in different
# departments never wait on one "last hash" row (DESIGN.md §5).
AUDIT_CHAIN_PARTITIONS = env.integer("AUDIT_CHAIN_PARTITIONS", 16)
# sm3 (GB/T 32905, the default for 密评) or sha256.
AUDIT_HASH_ALGORITHM = env.text("AUDIT_HASH_ALGORITHM", "sm3")

# Sign-in ---------------------------------------------------------------------------------
# Staff sign in to /admin/ with password + TOTP (django-otp; `manage.py enroll_totp`). After
# 5 failed attempts for a username the account is locked this many minutes (tongban.identity).
IDENTITY_LOCKOUT_MINUTES = env.integer("IDENTITY_LOCKOUT_MINUTES", 15)
# The issuer shown by authenticator apps for the platform's TOTP accounts.
OTP_TOTP_ISSUER = "周至通办"
# People sign in at /login/ with their phone and an SMS code (tongban.identity.accounts).
# Codes are stored as an HMAC under IDENTITY_CODE_KEY (base64, 32 bytes; required in
# production, derived from SECRET_KEY elsewhere); a code lives IDENTITY_CODE_MINUTES, a phone
# gets a new one at most every IDENTITY_CODE_INTERVAL_SECONDS and IDENTITY_CODES_PER_DAY a
# day. Online real-name checks (L2): at most IDENTITY_REALNAME_ATTEMPTS_PER_DAY per account.
if env.text("IDENTITY_CODE_KEY") or PRODUCTION:
    IDENTITY_CODE_KEY = env.text("IDENTITY_CODE_KEY")
else:
    IDENTITY_CODE_KEY = env.derived_key("identity-sms-code", SECRET_KEY)
IDENTITY_CODE_MINUTES = env.integer("IDENTITY_CODE_MINUTES", 5)
IDENTITY_CODE_INTERVAL_SECONDS = env.integer("IDENTITY_CODE_INTERVAL_SECONDS", 60)
IDENTITY_CODES_PER_DAY = env.integer("IDENTITY_CODES_PER_DAY", 10)
IDENTITY_REALNAME_ATTEMPTS_PER_DAY = env.integer("IDENTITY_REALNAME_ATTEMPTS_PER_DAY", 5)
# Per client address (tongban.identity.throttles): IDENTITY_FAILURES_PER_ADDRESS failed
# sign-ins (staff or person, password or code) per IDENTITY_ADDRESS_WINDOW_SECONDS, then
# refused until the window ends; IDENTITY_CODES_PER_ADDRESS SMS codes asked an hour.
# The suite signs in from one address all day: its default is out of reach (the limits'
# own tests set them low).
_ADDRESS_LIMIT = 100_000 if TONGBAN_ENV == "test" else 30
IDENTITY_FAILURES_PER_ADDRESS = env.integer("IDENTITY_FAILURES_PER_ADDRESS", _ADDRESS_LIMIT)
IDENTITY_ADDRESS_WINDOW_SECONDS = env.integer("IDENTITY_ADDRESS_WINDOW_SECONDS", 900)
IDENTITY_CODES_PER_ADDRESS = env.integer("IDENTITY_CODES_PER_ADDRESS", _ADDRESS_LIMIT)

# Single sign-on ------------------------------------------------------------------------
# The platform is the OIDC provider of department systems (django-oauth-toolkit,
# tongban.identity.oidc, docs/sso.md). The issuer is <site>/oidc (discovery at
# /oidc/.well-known/openid-configuration); OIDC_ISSUER fixes it behind a proxy ("": taken
# from the request). The RSA key signing ID tokens: OIDC_RSA_PRIVATE_KEY (PEM text) or
# OIDC_RSA_PRIVATE_KEY_FILE; production refuses to start without one (identity.E101),
# elsewhere a development key is generated once into var/.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
from tongban.identity.oidc.keys import signing_key as _oidc_signing_key  # noqa: E402

OIDC_RSA_PRIVATE_KEY = _oidc_signing_key(
    env.text("OIDC_RSA_PRIVATE_KEY"),
    env.text("OIDC_RSA_PRIVATE_KEY_FILE"),
    VAR_DIR,
    generate=not PRODUCTION,
)
# Keys the pairwise subject identifiers (`sub`, one per person per client). Never change it
# once clients store subjects: every person would look new to them. Required in production
# (identity.E102); derived from SECRET_KEY elsewhere.
if env.text("OIDC_SUBJECT_KEY") or PRODUCTION:
    OIDC_SUBJECT_KEY = env.text("OIDC_SUBJECT_KEY")
else:
    OIDC_SUBJECT_KEY = env.derived_key("oidc-subject", SECRET_KEY)
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": env.text("OIDC_ISSUER"),
    "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
    # After a key rotation the previous keys stay in the JWKS until their tokens expire.
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [
        Path(path).read_text() for path in env.words("OIDC_RSA_PRIVATE_KEY_INACTIVE_FILES")
    ],
    "OAUTH2_VALIDATOR_CLASS": "tongban.identity.oidc.validators.TongbanValidator",
    "APPLICATION_ADMIN_CLASS": "tongban.identity.oidc.admin.ApplicationAdmin",
    "SCOPES": {
        "openid": "确认您的身份(账号标识)",
        "profile": "姓名与实名等级",
        "phone": "手机号码(脱敏)",
        "realname": "身份证号码(脱敏)与实名等级",
        "enterprise": "您所代表的法人(名称、统一社会信用代码、身份与授权范围)",
        # Calling the platform's API with the token (tongban.identity.oidc.scopes.API_SCOPES).
        "cases": "以您的名义申报办件、查看办件进度与回执、评价办件、预约寄递",
        "payments": "查看您的缴费订单并发起支付",
        "licenses": "查看、下载和出示您的电子证照",
        "space": "查看您的个人/企业空间(档案、材料、消息)",
        "staff": "以工作人员身份调用业务接口(台账、对账退款、档案、统计)",
    },
    "DEFAULT_SCOPES": ["openid"],
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise"],
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,  # tokens kept only as checksums
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,  # RFC 9207 `iss` in the response
    # A replayed refresh token revokes its whole family (RFC 9700 §4.14.2).
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["http", "https"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # A logout carrying the person's own ID token (id_token_hint) needs no confirmation.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.integer("OIDC_ACCESS_TOKEN_SECONDS", 3600),
    "ID_TOKEN_EXPIRE_SECONDS": env.integer("OIDC_ID_TOKEN_SECONDS", 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.integer("OIDC_REFRESH_TOKEN_SECONDS", 7 * 24 * 3600),
}
# Upstream federation: people may also sign in through the provincial identity platform
# (陕西省统一身份认证平台) as an OIDC client (tongban.identity.oidc.federation). Off while the
# issuer is empty. In development it points at the sandbox (manage.py provincial_idp_sandbox,
# started by `manage.py serve` when the issuer is the sandbox URL).
PROVINCIAL_SANDBOX_PORT = env.integer("PROVINCIAL_SANDBOX_PORT", 8027)
PROVINCIAL_SANDBOX_URL = f"http://127.0.0.1:{PROVINCIAL_SANDBOX_PORT}"
PROVINCIAL_OIDC_ISSUER = env.text(
    "PROVINCIAL_OIDC_ISSUER", PROVINCIAL_SANDBOX_URL if TONGBAN_ENV == "development" else ""
)
PROVINCIAL_OIDC_CLIENT_ID = env.text("PROVINCIAL_OIDC_CLIENT_ID", "tongban-zhouzhi")
PROVINCIAL_OIDC_CLIENT_SECRET = env.text(
    "PROVINCIAL_OIDC_CLIENT_SECRET", "" if PRODUCTION else "sandbox-secret-not-for-production"
)
PROVINCIAL_OIDC_TIMEOUT = float(env.integer("PROVINCIAL_OIDC_TIMEOUT", 10))
# End of single sign-on ------------------------------------------------------------------

# Personal data -------------------------------------------------------------------------
# ID numbers, phones and addresses are encrypted at rest and found through blind indexes
# (tongban.core.pii, docs/security.md). PII_KEYS: "id:base64,id:base64", each 32 random
# bytes (`openssl rand -base64 32`); new values use PII_ACTIVE_KEY (default: the first), the
# others stay readable until `manage.py rotate_pii_keys` has re-encrypted everything.
# PII_INDEX_KEY (base64, 32 bytes) keys the blind indexes; changing it needs
# `rotate_pii_keys --reindex`. Outside production both are derived from SECRET_KEY (key id
# "dev"); production refuses to start without them (tongban.core.checks).
PII_ALGORITHM = env.text("PII_ALGORITHM", "sm4")  # sm4 (SM4-GCM, 密评) or aes (AES-256-GCM)
PII_INDEX_ALGORITHM = env.text("PII_INDEX_ALGORITHM", "sm3")  # HMAC-SM3 or HMAC-SHA256
if env.text("PII_KEYS") or PRODUCTION:
    PII_KEYS = {}
    for _entry in env.words("PII_KEYS"):
        _key_id, _sep, _key = _entry.partition(":")
        if not _sep:
            raise ImproperlyConfigured("PII_KEYS must be id:base64 pairs separated by commas")
        PII_KEYS[_key_id.strip()] = _key.strip()
    PII_INDEX_KEY = env.text("PII_INDEX_KEY")
else:
    PII_KEYS = {"dev": env.derived_key("pii-dev-encryption", SECRET_KEY)}
    PII_INDEX_KEY = env.text("PII_INDEX_KEY") or env.derived_key("pii-dev-index", SECRET_KEY)
PII_ACTIVE_KEY = env.text("PII_ACTIVE_KEY", next(iter(PII_KEYS), ""))

# Tracking a case without signing in (tongban/cases/tracking.py): attempts per client address
# and per case number in a 10-minute window (raise the first behind a proxy that hides
# client addresses, or for a load test from one address).
CASES_TRACK_PER_IP = env.integer("CASES_TRACK_PER_IP", 20)
CASES_TRACK_PER_NUMBER = env.integer("CASES_TRACK_PER_NUMBER", 5)
# How long a process reuses the guide in force it read for intake (tongban/cases/guides.py).
CASES_GUIDE_CACHE_SECONDS = env.integer("CASES_GUIDE_CACHE_SECONDS", 5)

TONGBAN_COUNTY_CODE = env.text("TONGBAN_COUNTY_CODE", "610124")
TONGBAN_COUNTY_NAME = env.text("TONGBAN_COUNTY_NAME", "周至县")
# The consultation line every portal page offers as a one-tap call (12345 政务服务便民热线).
TONGBAN_HOTLINE = env.text("TONGBAN_HOTLINE", "12345")
# How long a guide page keeps its rendered text (per version and language); 0 = off.
CATALOG_GUIDE_PAGE_SECONDS = env.integer("CATALOG_GUIDE_PAGE_SECONDS", 60)
# How long the home page keeps its public blocks (hot items, bundles, departments); 0 = off.
PORTAL_HOME_CACHE_SECONDS = env.integer("PORTAL_HOME_CACHE_SECONDS", 300)

# Idle timeout of a signed-in session: renewed by SlidingSessionMiddleware at most every
# SESSION_REFRESH_SECONDS (so it holds to within that), not by a write on every request.
SESSION_COOKIE_AGE = env.integer("SESSION_COOKIE_AGE", 30 * 60)
SESSION_REFRESH_SECONDS = env.integer("SESSION_REFRESH_SECONDS", 60)
# With Redis, sessions are read from the cache and written through to the database.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
# The CSRF token reaches scripts through the page (a form field or data-csrf), never the
# cookie (portal/read-aloud.js falls back to the field), so scripts need not read it.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    # nginx ends TLS and passes X-Forwarded-Proto (docs/operations.md). SECURE_COOKIES=0 and
    # SECURE_SSL_REDIRECT=0 only for a loopback without TLS (the proof stack).
    SESSION_COOKIE_SECURE = env.flag("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain-HTTP requests are sent to HTTPS by nginx, and by Django too as a second line;
    # /healthz stays reachable over plain HTTP for probes on the machine itself.
    SECURE_SSL_REDIRECT = env.flag("SECURE_SSL_REDIRECT", default=SESSION_COOKIE_SECURE)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # HSTS (sent over HTTPS only). Preload is on by default: the county's domain is served
    # over HTTPS only; turn it off before the first deployment if a subdomain is not.
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.flag("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No ID number, phone or personal field value reaches a log line (tongban.core.pii).
    "filters": {"redact_pii": {"()": "tongban.core.pii.logging.RedactFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_pii"],
        }
    },
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Notifications -------------------------------------------------------------------------
# Messages (tongban.notify, docs/notify.md). Each channel is served by a provider named in
# NOTIFY_PROVIDERS; "type" picks the registered class (notify/providers/registry.py).
# Development and tests use the sandbox SMS service on loopback (manage.py sms_sandbox,
# started by `manage.py serve`); production must name a real SMS gateway.
NOTIFY_SMS_PROVIDER = env.text("NOTIFY_SMS_PROVIDER", "sms_http" if PRODUCTION else "sandbox")
NOTIFY_SANDBOX_PORT = env.integer("NOTIFY_SANDBOX_PORT", 8026)
NOTIFY_PROVIDERS = {
    "sandbox": {
        "type": "sandbox",
        "url": env.text("NOTIFY_SANDBOX_URL", f"http://127.0.0.1:{NOTIFY_SANDBOX_PORT}"),
        "app_key": "tongban-sandbox",
        "app_secret": "sandbox-secret-not-for-production",
        "sign": "周至通办",
        "timeout": 5.0,
    },
    "sms_http": {
        "type": "sms_http",
        "url": env.text("NOTIFY_SMS_URL"),
        "app_key": env.text("NOTIFY_SMS_APP_KEY"),
        "app_secret": env.text("NOTIFY_SMS_APP_SECRET"),
        "sign": env.text("NOTIFY_SMS_SIGN", "周至通办"),
        "timeout": float(env.integer("NOTIFY_SMS_TIMEOUT", 5)),
    },
    "email": {"type": "email"},
}
NOTIFY_CHANNEL_PROVIDERS = {"sms": NOTIFY_SMS_PROVIDER, "email": "email"}
if NOTIFY_SMS_PROVIDER not in NOTIFY_PROVIDERS:
    raise ImproperlyConfigured(f"NOTIFY_SMS_PROVIDER must be one of {sorted(NOTIFY_PROVIDERS)}")
# (manage.py check reports notify.E001 when the production gateway lacks its URL or secret.)
# Non-urgent SMS wait out the quiet hours (local time, "HH:MM-HH:MM"; empty = none).
NOTIFY_QUIET_HOURS = env.text("NOTIFY_QUIET_HOURS", "22:00-08:00")
# Per recipient: at most this many SMS per hour; more are deferred, never dropped.
NOTIFY_SMS_PER_HOUR = env.integer("NOTIFY_SMS_PER_HOUR", 5)
# Retries: delay = min(cap, base * factor ** (attempt - 1)), with jitter (half to full).
NOTIFY_RETRY_BASE_SECONDS = env.integer("NOTIFY_RETRY_BASE_SECONDS", 10)
NOTIFY_RETRY_FACTOR = env.integer("NOTIFY_RETRY_FACTOR", 2)
NOTIFY_RETRY_CAP_SECONDS = env.integer("NOTIFY_RETRY_CAP_SECONDS", 1800)
NOTIFY_MAX_ATTEMPTS = env.integer("NOTIFY_MAX_ATTEMPTS", 10)
# Circuit breaker per provider: open after this many failures in a row, probe after cool-down.
NOTIFY_CIRCUIT_FAILURES = env.integer("NOTIFY_CIRCUIT_FAILURES", 5)
NOTIFY_CIRCUIT_COOLDOWN_SECONDS = env.integer("NOTIFY_CIRCUIT_COOLDOWN_SECONDS", 30)
# `manage.py serve` starts the sandbox SMS service in development unless this is false.
NOTIFY_SANDBOX_AUTOSTART = env.flag(
    "NOTIFY_SANDBOX_AUTOSTART", default=TONGBAN_ENV == "development"
)
# End of notifications ---------------------------------------------------------------------

# Gateway: API clients of department systems and upper-level platforms (docs/gateway.md).
# Key secrets are encrypted with GATEWAY_SECRET_KEY (base64 of 32 random bytes; required in
# production, derived from SECRET_KEY elsewhere). Nonces and rate-limit counters live in the
# default cache: set REDIS_URL when more than one process serves the API.
# In production without it the gateway refuses to start (its system check) and to use keys.
if env.text("GATEWAY_SECRET_KEY") or PRODUCTION:
    GATEWAY_SECRET_KEY = env.text("GATEWAY_SECRET_KEY")
else:
    GATEWAY_SECRET_KEY = env.derived_key("gateway", SECRET_KEY)
# Signed requests: accepted clock skew (seconds), also how long a nonce is remembered.
GATEWAY_SIGNATURE_WINDOW = env.integer("GATEWAY_SIGNATURE_WINDOW", 300)
# OAuth2 client-credentials token lifetime (seconds).
GATEWAY_TOKEN_SECONDS = env.integer("GATEWAY_TOKEN_SECONDS", 3600)
# After a rotation the old key keeps working this long.
GATEWAY_KEY_OVERLAP_HOURS = env.integer("GATEWAY_KEY_OVERLAP_HOURS", 72)

# Signing: the county CA, department seals, PDF and SM2 signatures (docs/signing.md).
# SIGNING_PROVIDER names the class holding the keys (tongban.signing.providers): "local" =
# the platform's own county CA with keys in the database, encrypted with SIGNING_KEY_SECRET
# (base64 of 32 random bytes, SM4-GCM; required in production, derived from SECRET_KEY
# elsewhere). SIGNING_PLATFORM_DEPARTMENT is the code of the department whose seal signs
# for the platform itself (sm2_sign without a department): the one running the county
# government service center. Certificates: the root lasts SIGNING_ROOT_YEARS, the issuing
# CA SIGNING_ISSUING_YEARS, a seal SIGNING_SEAL_YEARS.
SIGNING_PROVIDER = env.text("SIGNING_PROVIDER", "local")
if env.text("SIGNING_KEY_SECRET") or PRODUCTION:
    SIGNING_KEY_SECRET = env.text("SIGNING_KEY_SECRET")
else:
    SIGNING_KEY_SECRET = env.derived_key("signing-keys", SECRET_KEY)
SIGNING_PLATFORM_DEPARTMENT = env.text("SIGNING_PLATFORM_DEPARTMENT", "approval")
SIGNING_CA_NAME = env.text("SIGNING_CA_NAME", f"{TONGBAN_COUNTY_NAME}政务服务电子认证中心")
SIGNING_LOCATION = env.text("SIGNING_LOCATION", TONGBAN_COUNTY_NAME)
SIGNING_ROOT_YEARS = env.integer("SIGNING_ROOT_YEARS", 20)
SIGNING_ISSUING_YEARS = env.integer("SIGNING_ISSUING_YEARS", 10)
SIGNING_SEAL_YEARS = env.integer("SIGNING_SEAL_YEARS", 5)
# End of signing ---------------------------------------------------------------------------

# E-licenses (docs/licenses.md).
# 扫码亮证: how long a holder's QR code works unless they pick another time box (seconds).
LICENSE_SHOW_SECONDS = env.integer("LICENSE_SHOW_SECONDS", 300)
# LICENSES_PUBLIC_URL: the platform's public address, printed in each license's QR code
# (/licenses/verify/<identifier>/); licenses are drawn by a background task, with no request
# to take it from. Public verification (page and API, no sign-in) is limited per client
# address to LICENSES_VERIFY_PER_IP requests per LICENSES_VERIFY_WINDOW seconds (the shared
# cache: set REDIS_URL with more than one process). A license's signature check is cached for
# LICENSES_SIGNATURE_CACHE_SECONDS per version.
LICENSES_PUBLIC_URL = env.text("LICENSES_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
LICENSES_VERIFY_PER_IP = env.integer("LICENSES_VERIFY_PER_IP", 120)
LICENSES_VERIFY_WINDOW = env.integer("LICENSES_VERIFY_WINDOW", 60)
LICENSES_SIGNATURE_CACHE_SECONDS = env.integer("LICENSES_SIGNATURE_CACHE_SECONDS", 24 * 3600)
# Each verification's log entry is written within LICENSES_ACCESS_FLUSH_MS, batched with the
# others of that moment (0: one insert per verification, the test suite's default).
LICENSES_ACCESS_FLUSH_MS = env.integer(
    "LICENSES_ACCESS_FLUSH_MS", 0 if TONGBAN_ENV == "test" else 1000
)
# End of e-licenses ------------------------------------------------------------------------

# E-archives (docs/archives.md).
# 保管期限 per result type, "result_type:code" (Y 永久, D30 定期30年, D10 定期10年; the
# county's choice under 国家档案局令第8号 and DA/T 22-2015); other results get the default.
ARCHIVES_RETENTION = dict(
    entry.split(":", 1)
    for entry in env.words("ARCHIVES_RETENTION", "license:Y,approval:Y,document:D30,refusal:D10")
)
ARCHIVES_DEFAULT_RETENTION = env.text("ARCHIVES_DEFAULT_RETENTION", "D10")
# 全宗号 printed first in every archive number (default: the county's division code).
ARCHIVES_FONDS = env.text("ARCHIVES_FONDS", TONGBAN_COUNTY_CODE)
# A license case waits for its license this long between tries, this many times, before
# its package is built without it.
ARCHIVES_LICENSE_WAIT_MINUTES = env.integer("ARCHIVES_LICENSE_WAIT_MINUTES", 5)
ARCHIVES_LICENSE_WAIT_TRIES = env.integer("ARCHIVES_LICENSE_WAIT_TRIES", 12)
# The periodic fixity check: every ARCHIVES_FIXITY_INTERVAL_MINUTES, the packages checked
# longest ago, at most ARCHIVES_FIXITY_PER_RUN of them (manage.py archives_fixity: all).
ARCHIVES_FIXITY_INTERVAL_MINUTES = env.integer("ARCHIVES_FIXITY_INTERVAL_MINUTES", 60)
ARCHIVES_FIXITY_PER_RUN = env.integer("ARCHIVES_FIXITY_PER_RUN", 500)
# End of e-archives ------------------------------------------------------------------------

# Payments: unified payment (docs/payments.md). PAYMENTS_PROVIDER names the channel in
# PAYMENTS_PROVIDERS ("type" picks the registered class, payments/providers/registry.py).
# Development and tests use the sandbox payment service on loopback (manage.py
# payment_sandbox, started by `manage.py serve`); production must name a real channel.
# PAYMENTS_PUBLIC_URL: where the channel posts its notices and sends payers back.
PAYMENTS_PROVIDER = env.text("PAYMENTS_PROVIDER", "channel_http" if PRODUCTION else "sandbox")
PAYMENTS_SANDBOX_PORT = env.integer("PAYMENTS_SANDBOX_PORT", 8029)
PAYMENTS_PROVIDERS = {
    "sandbox": {
        "type": "sandbox",
        "url": env.text("PAYMENTS_SANDBOX_URL", f"http://127.0.0.1:{PAYMENTS_SANDBOX_PORT}"),
        "merchant_id": "ZZTB-SANDBOX",
        "app_secret": "payments-sandbox-secret-not-for-production",
        "timeout": 5.0,
    },
    "channel_http": {
        "type": "channel_http",
        "url": env.text("PAYMENTS_CHANNEL_URL"),
        "merchant_id": env.text("PAYMENTS_MERCHANT_ID"),
        "app_secret": env.text("PAYMENTS_CHANNEL_SECRET"),
        "timeout": float(env.integer("PAYMENTS_CHANNEL_TIMEOUT", 5)),
    },
}
if PAYMENTS_PROVIDER not in PAYMENTS_PROVIDERS:
    raise ImproperlyConfigured(f"PAYMENTS_PROVIDER must be one of {sorted(PAYMENTS_PROVIDERS)}")
PAYMENTS_PUBLIC_URL = env.text("PAYMENTS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# An unpaid order expires after this many hours (the case keeps waiting; a new order opens).
PAYMENTS_ORDER_HOURS = env.integer("PAYMENTS_ORDER_HOURS", 72)
# Orders still paying with no notice are queried at the channel after this many seconds.
PAYMENTS_QUERY_AFTER_SECONDS = env.integer("PAYMENTS_QUERY_AFTER_SECONDS", 300)
# `manage.py serve` starts the sandbox payment service in development unless this is false.
PAYMENTS_SANDBOX_AUTOSTART = env.flag(
    "PAYMENTS_SANDBOX_AUTOSTART", default=TONGBAN_ENV == "development"
)
# End of payments --------------------------------------------------------------------------

# Logistics: unified logistics, results by post and collection at the door
# (docs/logistics.md). LOGISTICS_PROVIDER names the courier in LOGISTICS_PROVIDERS; the
# sandbox courier service runs on loopback in development and tests (manage.py
# courier_sandbox, started by `manage.py serve`). LOGISTICS_COUNTY_PAYS: postage is paid by
# the county (free to the applicant), recorded per waybill either way.
LOGISTICS_PROVIDER = env.text("LOGISTICS_PROVIDER", "courier_http" if PRODUCTION else "sandbox")
LOGISTICS_SANDBOX_PORT = env.integer("LOGISTICS_SANDBOX_PORT", 8028)
LOGISTICS_PROVIDERS = {
    "sandbox": {
        "type": "sandbox",
        "url": env.text("LOGISTICS_SANDBOX_URL", f"http://127.0.0.1:{LOGISTICS_SANDBOX_PORT}"),
        "customer_code": "ZZTB-SANDBOX",
        "app_secret": "courier-sandbox-secret-not-for-production",
        "timeout": 5.0,
    },
    "courier_http": {
        "type": "courier_http",
        "url": env.text("LOGISTICS_COURIER_URL"),
        "customer_code": env.text("LOGISTICS_CUSTOMER_CODE"),
        "app_secret": env.text("LOGISTICS_COURIER_SECRET"),
        "timeout": float(env.integer("LOGISTICS_COURIER_TIMEOUT", 5)),
    },
}
if LOGISTICS_PROVIDER not in LOGISTICS_PROVIDERS:
    raise ImproperlyConfigured(f"LOGISTICS_PROVIDER must be one of {sorted(LOGISTICS_PROVIDERS)}")
LOGISTICS_PUBLIC_URL = env.text("LOGISTICS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
LOGISTICS_COUNTY_PAYS = env.flag("LOGISTICS_COUNTY_PAYS", default=True)
# The sender printed on every waybill: the county government service center's mail room.
LOGISTICS_SENDER = {
    "name": env.text("LOGISTICS_SENDER_NAME", "周至县政务服务中心"),
    "phone": env.text("LOGISTICS_SENDER_PHONE", "029-87151234"),
    "address": env.text("LOGISTICS_SENDER_ADDRESS", "陕西省西安市周至县二曲街道政务服务中心"),
}
# Waybills without a tracking push for LOGISTICS_REFRESH_AFTER_HOURS are pulled from the
# courier; the sweep (booking what the courier refused while down, refreshing) runs every
# LOGISTICS_SWEEP_MINUTES.
LOGISTICS_REFRESH_AFTER_HOURS = env.integer("LOGISTICS_REFRESH_AFTER_HOURS", 6)
LOGISTICS_SWEEP_MINUTES = env.integer("LOGISTICS_SWEEP_MINUTES", 10)
LOGISTICS_SANDBOX_AUTOSTART = env.flag(
    "LOGISTICS_SANDBOX_AUTOSTART", default=TONGBAN_ENV == "development"
)
# End of logistics -------------------------------------------------------------------------

# Reviews (好差评, docs/reviews.md; GB/T 39734/39735-2020, 国办发〔2019〕51号). A bad review
# (不满意, 非常不满意) opens a rectification for the responsible department: visited back within
# REVIEWS_VISIT_BACK_DAYS working days, rectified or explained within REVIEWS_RECTIFY_DAYS
# working days (the county's rule: 5 or 15), the reviewer may accept or appeal within
# REVIEWS_APPEAL_DAYS; an applicant may rate a concluded case for REVIEWS_RATE_DAYS days.
REVIEWS_VISIT_BACK_DAYS = env.integer("REVIEWS_VISIT_BACK_DAYS", 1)
REVIEWS_RECTIFY_DAYS = env.integer("REVIEWS_RECTIFY_DAYS", 15)
REVIEWS_APPEAL_DAYS = env.integer("REVIEWS_APPEAL_DAYS", 5)
REVIEWS_RATE_DAYS = env.integer("REVIEWS_RATE_DAYS", 30)
# The portal's public address, for links sent by SMS (the rating invitation, feedback).
SITE_URL = env.text("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# End of reviews ---------------------------------------------------------------------------

# Metrics: the reform task ledger (工作任务台账) and the self-evaluation indicators
# (docs/metrics.md). Ledger tasks due within METRICS_LEDGER_WARN_DAYS are flagged 临期.
METRICS_LEDGER_WARN_DAYS = env.integer("METRICS_LEDGER_WARN_DAYS", 15)
# Evidence attached to a progress report: at most this many files of this many bytes each.
METRICS_EVIDENCE_MAX_BYTES = env.integer("METRICS_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
METRICS_EVIDENCE_MAX_FILES = env.integer("METRICS_EVIDENCE_MAX_FILES", 10)
# End of metrics ---------------------------------------------------------------------------

# Read-aloud and 帮办代办 booking (docs/read-aloud-and-assist.md). Where the browser has no
# Chinese voice the page's text is read by espeak-ng's Mandarin voice on the platform
# (PORTAL_SPEECH_COMMAND), at PORTAL_SPEECH_SPEED words per minute (PORTAL_SPEECH_SLOW_SPEED
# in elderly mode), at most PORTAL_SPEECH_MAX_CHARS characters a request, stopped after
# PORTAL_SPEECH_TIMEOUT seconds; the audio is kept under PORTAL_SPEECH_CACHE_DIR (delete it
# freely). A client address may ask PORTAL_SPEECH_PER_IP times per PORTAL_SPEECH_WINDOW
# seconds. Bookings of help at a service center are taken up to PORTAL_ASSIST_DAYS ahead,
# at most PORTAL_ASSIST_PER_PHONE a day for one phone and PORTAL_ASSIST_PER_IP an hour from
# one client address (no account is needed to book).
PORTAL_SPEECH_COMMAND = env.text("PORTAL_SPEECH_COMMAND", "espeak-ng")
PORTAL_SPEECH_SPEED = env.integer("PORTAL_SPEECH_SPEED", 160)
PORTAL_SPEECH_SLOW_SPEED = env.integer("PORTAL_SPEECH_SLOW_SPEED", 125)
PORTAL_SPEECH_MAX_CHARS = env.integer("PORTAL_SPEECH_MAX_CHARS", 3000)
PORTAL_SPEECH_TIMEOUT = env.integer("PORTAL_SPEECH_TIMEOUT", 30)
PORTAL_SPEECH_CACHE_DIR = Path(env.text("PORTAL_SPEECH_CACHE_DIR", str(VAR_DIR / "speech")))
# Cached audio unread this many days is deleted by the worker's daily sweep (portal.tasks).
PORTAL_SPEECH_CACHE_DAYS = env.integer("PORTAL_SPEECH_CACHE_DAYS", 30)
PORTAL_SPEECH_PER_IP = env.integer("PORTAL_SPEECH_PER_IP", 60)
PORTAL_SPEECH_WINDOW = env.integer("PORTAL_SPEECH_WINDOW", 60)
PORTAL_ASSIST_DAYS = env.integer("PORTAL_ASSIST_DAYS", 30)
PORTAL_ASSIST_PER_PHONE = env.integer("PORTAL_ASSIST_PER_PHONE", 3)
PORTAL_ASSIST_PER_IP = env.integer("PORTAL_ASSIST_PER_IP", 20)
# End of read-aloud and assist -------------------------------------------------------------

# Kiosk: self-service terminals (自助终端, docs/kiosk.md). Each enrolled terminal has a card
# reader service; KIOSK_READER_PROVIDER names how the platform asks it for the ID card on
# the reader ("reader_http": the terminal's own reader_url and shared key; "sandbox": the
# simulated reader, `manage.py card_reader_sandbox`, started by `manage.py serve` in
# development). A kiosk session ends after KIOSK_IDLE_SECONDS without a touch (browser and
# server); the enrolment cookie lasts KIOSK_COOKIE_DAYS.
KIOSK_READER_PROVIDER = env.text(
    "KIOSK_READER_PROVIDER", "reader_http" if PRODUCTION else "sandbox"
)
KIOSK_SANDBOX_PORT = env.integer("KIOSK_SANDBOX_PORT", 8030)
KIOSK_READER_PROVIDERS = {
    "reader_http": {"timeout": float(env.integer("KIOSK_READER_TIMEOUT", 3))},
    "sandbox": {
        "type": "sandbox",
        "url": env.text("KIOSK_SANDBOX_URL", f"http://127.0.0.1:{KIOSK_SANDBOX_PORT}"),
        # Public demo values: the sandbox reader checks every terminal's requests with them.
        "app_secret": "kiosk-sandbox-secret",
        "timeout": 3.0,
    },
}
if KIOSK_READER_PROVIDER not in KIOSK_READER_PROVIDERS:
    raise ImproperlyConfigured(
        f"KIOSK_READER_PROVIDER must be one of {sorted(KIOSK_READER_PROVIDERS)}"
    )
KIOSK_SANDBOX_AUTOSTART = env.flag("KIOSK_SANDBOX_AUTOSTART", default=TONGBAN_ENV == "development")
KIOSK_IDLE_SECONDS = env.integer("KIOSK_IDLE_SECONDS", 60)
KIOSK_COOKIE_DAYS = env.integer("KIOSK_COOKIE_DAYS", 3650)
# End of kiosk -----------------------------------------------------------------------------

# Content-Security-Policy (django-csp, docs/security.md). Scripts only from the platform's
# own static files (no inline script anywhere); styles may be inline (the admin and ECharts
# write style attributes; styles run no code). Forms post to the platform itself and to the
# external origins a form is redirected to: the payment channel and the provincial identity
# platform (the OIDC consent page adds its client's origin itself, identity/oidc/views.py).
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

from tongban.core.csp import origin as _origin  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [
            SELF,
            *filter(
                None,
                [
                    _origin(PAYMENTS_PROVIDERS[PAYMENTS_PROVIDER]["url"]),
                    _origin(PROVINCIAL_OIDC_ISSUER),
                ],
            ),
        ],
    }
}
