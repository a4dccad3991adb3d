"""Settings, read from the environment (see README "Configuration")."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused in production


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_env() -> dict[str, Any]:
    instance = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))
    return {
        "ENV_NAME": os.environ.get("COMPTOIR_ENV", "development"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
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
        # Stripe: secret key, publishable key, webhook signing secret, API base (tests: localstripe)
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        # what Stripe keeps on a card payment (shown to buyers; coop.transparency)
        "STRIPE_FEE_BP": int(os.environ.get("STRIPE_FEE_BP", "150")),
        "STRIPE_FEE_FIXED_CENTS": int(os.environ.get("STRIPE_FEE_FIXED_CENTS", "25")),
        "PAYMENT_HOLD_MINUTES": int(os.environ.get("PAYMENT_HOLD_MINUTES", "30")),
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


def check_production(config: dict[str, Any]) -> None:
    """Refuse to start in production with a development or short secret key."""
    if config.get("ENV_NAME") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise ConfigError(
            "SECRET_KEY is missing or too weak for production: set SECRET_KEY to a random "
            'value of at least 32 characters (python -c "import secrets; '
            'print(secrets.token_urlsafe(48))").'
        )
