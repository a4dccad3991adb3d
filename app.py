"""Comptoir application factory: ``gunicorn 'app:create_app()'``."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

from accounts.services import admin_contacts
from core import hardening, headers
from core.config import check_secret_key, from_env
from core.db import db
from core.db import init_app as init_db_endings
from core.errors import register_error_handlers
from core.extensions import api, babel, csrf, login_manager, migrate
from core.i18n import register_i18n, select_locale, select_timezone
from core.models import import_all_models
from notifications.services import ALERT_RECIPIENTS
from notifications.services import init_app as notifications_init

#: domain packages with a ``bp`` HTML blueprint, in dependency order
BLUEPRINT_PACKAGES = (
    "pages",
    "accounts",
    "enterprises",
    "products",
    "hubs",
    "hubs.terms",
    "cycles",
    "orders",
    "payments",
    "operations.backoffice",
    "operations.pickup",
    "operations.reports",
    "operations.producers",
    "operations.dashboard",
    "coop",
    "coop.contributions",
    "coop.billing",
    "coop.admin",
    "coop.support",
    "interop",
    "demo.views",  # the development outbox (404 outside development)
)

#: modules exposing ``api_blueprints`` (flask-smorest) under /api/v1
API_MODULES = (
    "accounts.api",
    "products.api",
    "hubs.api",
    "cycles.api",
    "orders.api",
    "payments.api",
    "operations.api",
    "coop.api",
)

ROOT = Path(__file__).resolve().parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(from_env())
    if config:
        app.config.update(config)
    check_secret_key(app.config, Path(app.instance_path))
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)

    register_extensions(app)
    hardening.init_app(app)  # before the blueprints: their <int:...> rules take its converter
    register_blueprints(app)
    register_error_handlers(app)
    headers.init_app(app)
    register_i18n(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    import_all_models()
    db.init_app(app)
    init_db_endings(app)  # after db.init_app: runs before the session is removed
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    api.init_app(app)
    notifications_init(app)
    app.extensions[ALERT_RECIPIENTS] = admin_contacts  # notifications sits below accounts


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name in (module, module.rsplit(".", 1)[0]):
            return None
        raise


def register_blueprints(app: Flask) -> None:
    for package in BLUEPRINT_PACKAGES:
        mod = _optional(package)
        if mod is not None and hasattr(mod, "bp"):
            app.register_blueprint(mod.bp)
    for module in API_MODULES:
        mod = _optional(module)
        if mod is None:
            continue
        for blp in getattr(mod, "api_blueprints", ()):
            csrf.exempt(blp)  # token-authenticated: no session cookie is honoured under /api/
            api.register_blueprint(blp)
    interop_api = _optional("interop.views")
    if interop_api is not None and hasattr(interop_api, "bp"):
        csrf.exempt(interop_api.bp)


def register_commands(app: Flask) -> None:
    for module in (
        "accounts.cli",
        "demo.cli",
        "products.cli",
        "cycles.cli",
        "orders.cli",
        "payments.cli",
        "operations.cli",
        "notifications.cli",
        "coop.cli",
        "interop.cli",
    ):
        mod = _optional(module)
        if mod is not None and hasattr(mod, "register"):
            mod.register(app)
