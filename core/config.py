"""Settings, read from the environment (see README "Configuration")."""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
#: the key earlier versions used when none was set: public, so refused everywhere
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused, never used
#: the only environment that may run without SECRET_KEY (and load the demo data); it must be
#: chosen explicitly (``COMPTOIR_ENV=development``, as ``make run`` does) on a local BASE_URL
DEVELOPMENT = "development"
#: a key shorter than this, or with less estimated entropy, is refused
MIN_KEY_LENGTH = 32
MIN_KEY_BITS = 80
#: where a development instance keeps the random key it generated for itself
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name


#: environment variables of the legal notice and the privacy policy (see docs/deploy.md)
LEGAL_SETTINGS = (
    "LEGAL_OPERATOR",
    "LEGAL_FORM",
    "LEGAL_ADDRESS",
    "LEGAL_SIRET",
    "LEGAL_VAT_NUMBER",
    "LEGAL_PUBLICATION_DIRECTOR",
    "LEGAL_CONTACT_EMAIL",
    "LEGAL_PHONE",
    "LEGAL_HOST",
    "LEGAL_HOST_ADDRESS",
    "LEGAL_HOST_PHONE",
    "LEGAL_MAIL_PROVIDER",
)


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_env() -> dict[str, Any]:
    instance = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))
    return {
        # unset means production: development is an explicit, local choice
        "ENV_NAME": os.environ.get("COMPTOIR_ENV", "production"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        "APP_TIMEZONE": os.environ.get("APP_TIMEZONE", "Europe/Paris"),
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "fr"),
        "LANGUAGES": ["fr", "en"],
        "BABEL_TRANSLATION_DIRECTORIES": ";".join(translation_directories()),
        "CURRENCY": "EUR",
        "INSTANCE_PATH": str(instance),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance / "uploads")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        # product photos (products.photos): their renditions live under MEDIA_FOLDER/photos
        "MEDIA_FOLDER": os.environ.get("MEDIA_FOLDER", str(instance / "media")),
        "PHOTO_MAX_MB": int(os.environ.get("PHOTO_MAX_MB", "10")),
        "PHOTO_MAX_MEGAPIXELS": int(os.environ.get("PHOTO_MAX_MEGAPIXELS", "50")),
        # DFC import: download the images a catalogue names (off unless the operator allows it;
        # then the import form still asks). Private and loopback addresses are always refused
        # outside tests (DFC_IMAGES_ALLOW_PRIVATE).
        "DFC_IMAGES_DOWNLOAD": _bool("DFC_IMAGES_DOWNLOAD"),
        "DFC_IMAGES_TIMEOUT": float(os.environ.get("DFC_IMAGES_TIMEOUT", "10")),
        "DFC_IMAGES_ALLOW_PRIVATE": False,
        # outbound webhooks: how long a process keeps the list of subscriptions (docs/dfc.md)
        "WEBHOOKS_REFRESH_SECONDS": int(os.environ.get("WEBHOOKS_REFRESH_SECONDS", "10")),
        # Stripe: secret key, publishable key, webhook signing secret, API base (tests: localstripe)
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        # what Stripe keeps on a card payment (shown to buyers; coop.transparency)
        "STRIPE_FEE_BP": int(os.environ.get("STRIPE_FEE_BP", "150")),
        "STRIPE_FEE_FIXED_CENTS": int(os.environ.get("STRIPE_FEE_FIXED_CENTS", "25")),
        # the cooperative's bank account, given to enterprises paying their contribution by transfer
        "COOP_BANK_HOLDER": os.environ.get("COOP_BANK_HOLDER", ""),
        "COOP_BANK_IBAN": os.environ.get("COOP_BANK_IBAN", ""),
        "COOP_BANK_BIC": os.environ.get("COOP_BANK_BIC", ""),
        "PAYMENT_HOLD_MINUTES": int(os.environ.get("PAYMENT_HOLD_MINUTES", "30")),
        # the map of hubs and producers (hubs.views.map_page): tile URL template and the
        # attribution its licence requires; the page's CSP allows the tiles' origin only
        "MAP_TILE_URL": os.environ.get(
            "MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
        "MAP_TILE_ATTRIBUTION": os.environ.get(
            "MAP_TILE_ATTRIBUTION",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        ),
        # seconds a rendered shop catalogue page is reused by an app server (0: never)
        "SHOP_CACHE_SECONDS": int(os.environ.get("SHOP_CACHE_SECONDS", "10")),
        # Mail: SMTP relay; with no MAIL_SERVER, messages stay queued in the outbox table.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Comptoir <no-reply@localhost>"
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "LOGIN_MAX_ATTEMPTS": int(os.environ.get("LOGIN_MAX_ATTEMPTS", "5")),
        "LOGIN_WINDOW_MINUTES": int(os.environ.get("LOGIN_WINDOW_MINUTES", "15")),
        # one address may serve a whole household or a tiers-lieu's wifi: allow more per IP
        "LOGIN_MAX_ATTEMPTS_PER_IP": int(os.environ.get("LOGIN_MAX_ATTEMPTS_PER_IP", "20")),
        # number of reverse proxies in front of the app whose X-Forwarded-* headers to trust
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # the platform's legal notice and privacy policy (pages.legal, docs/deploy.md): a value
        # left empty is shown as "not configured" on the pages, never replaced by a made-up one
        **{name: os.environ.get(name, "").strip() for name in LEGAL_SETTINGS},
        "COMMISSION_BP": 100,  # the 1 % support commission, in basis points
        "API_TITLE": "Comptoir API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # how API calls authenticate (accounts.api_auth); each operation that needs a token
        # says so (``token_required`` adds its security requirement and 401/403 answers)
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "bearerToken": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal API token, created on the account page: "
                        "`Authorization: Bearer cpt_...`. Read-only tokens cannot write.",
                    },
                    "tokenHeader": {
                        "type": "apiKey",
                        "in": "header",
                        "name": "X-Api-Token",
                        "description": "The same token in a header of its own.",
                    },
                }
            }
        },
        "WTF_CSRF_TIME_LIMIT": None,
        # wtforms' own messages ("Ce champ est requis.") in the reader's language: Flask-WTF
        # loads wtforms' catalogue for Flask-Babel's locale (a sub-form: core.forms.SubForm)
        "WTF_I18N_ENABLED": True,
    }


def translation_directories() -> list[str]:
    """The one catalogue of the application (``core.catalogs``): a per-package catalogue is
    not read; ``python scripts/i18n.py consolidate`` folds one into it."""
    return [str(ROOT / "translations")]


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance / 'comptoir.sqlite3'}"
    # Hosting providers hand out postgres:// URLs; we drive PostgreSQL through psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class ConfigError(RuntimeError):
    pass


def is_local_url(url: str) -> bool:
    """Whether ``url`` points at this machine (127.0.0.0/8, ::1, localhost, *.localhost)."""
    host = (urlsplit(url).hostname or "").lower()
    return (
        host in ("localhost", "::1")
        or host.endswith(".localhost")
        or (host.startswith("127.") and host.replace(".", "").isdigit())
    )


def is_development(config: dict[str, Any]) -> bool:
    """A local development instance: ``COMPTOIR_ENV`` is exactly ``development`` and BASE_URL
    is local. Anything else (production, staging, test, bench, a typo, no value, a public
    address) is treated as a real instance."""
    return config.get("ENV_NAME") == DEVELOPMENT and is_local_url(str(config.get("BASE_URL", "")))


def under_gunicorn() -> bool:
    return os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn")


def key_entropy_bits(key: str) -> float:
    """A Shannon estimate of the key's entropy: its length times the entropy of its characters'
    frequencies (32 × "a" gives 0; a ``secrets.token_hex(16)`` about 110; a
    ``secrets.token_urlsafe(48)`` about 330)."""
    if not key:
        return 0.0
    n = len(key)
    return -sum(c * math.log2(c / n) for c in Counter(key).values())


def key_weakness(key: str) -> str | None:
    """Why ``key`` is not a strong secret key, or None."""
    if key == DEV_SECRET_KEY:
        return "it is the public development key"
    if len(key) < MIN_KEY_LENGTH:
        return f"it is shorter than {MIN_KEY_LENGTH} characters"
    if key_entropy_bits(key) < MIN_KEY_BITS:
        return "it is not random enough (too few different characters)"
    return None


def _instance_key(instance: Path) -> str:
    """The development key kept in the instance folder, generated on first use (mode 0600;
    written under another name then linked in place, so two workers starting together agree)."""
    path = instance / SECRET_KEY_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        tmp = instance / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker won: use its key
        finally:
            tmp.unlink()
    return path.read_text().strip()


def check_secret_key(config: dict[str, Any], instance: Path) -> None:
    """Refuse to start without a strong SECRET_KEY; a development instance without one gets a
    random key of its own, kept in the instance folder.

    Sessions, password-reset links and guest order links are signed with SECRET_KEY: a known or
    guessable key lets anyone forge an admin session. So a key that is set must be strong
    everywhere, and only an explicit, local development instance may run without one (never
    with a public key: it generates its own).
    """
    key = config.get("SECRET_KEY") or ""
    if not key and is_development(config):
        key = config["SECRET_KEY"] = _instance_key(instance)
    if not key:
        where = f"COMPTOIR_ENV={config.get('ENV_NAME') or '(unset)'}"
        if config.get("ENV_NAME") == DEVELOPMENT:
            where += f" with BASE_URL {config.get('BASE_URL')} (not local)"
        if under_gunicorn():
            where += ", under gunicorn"
        raise ConfigError(
            f"SECRET_KEY is missing ({where}): set SECRET_KEY to a random value of at least "
            f'{MIN_KEY_LENGTH} characters (python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"), the same on every server. Only a local '
            "development instance (COMPTOIR_ENV=development, as `make run` sets it) runs "
            "without one."
        )
    weakness = key_weakness(key)
    if weakness:
        raise ConfigError(
            f"SECRET_KEY is too weak: {weakness}. Set SECRET_KEY to a random value of at least "
            f'{MIN_KEY_LENGTH} characters (python -c "import secrets; '
            'print(secrets.token_urlsafe(48))").'
        )
