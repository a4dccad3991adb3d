"""Home page, language switch, health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_babel import get_locale
from sqlalchemy import text

from core.db import db
from core.security import safe_next_url
from core.timeutils import utcnow
from pages import legal
from pages.services import list_public_hubs

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return render_template("pages/index.html", listings=list_public_hubs(utcnow()))


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next_url(request.form.get("next"), "/"))


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


# --------------------------------------------------------------------------- legal pages


def _legal_language() -> str:
    """The privacy policy is written per language (fr, en): long legal prose, not phrases."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "fr"


@bp.get("/legal")
def legal_notice():
    config = current_app.config
    return render_template(
        "pages/legal_notice.html",
        entries=legal.notice_entries(config),
        missing=legal.missing_settings(config),
    )


@bp.get("/privacy")
def privacy():
    config = current_app.config
    return render_template(
        f"pages/privacy.{_legal_language()}.html",
        retention=legal.retention(config),
        missing=legal.missing_settings(config),
        operator=config.get("LEGAL_OPERATOR", ""),
        contact=config.get("LEGAL_CONTACT_EMAIL", ""),
        mail_provider=config.get("LEGAL_MAIL_PROVIDER", ""),
        host=config.get("LEGAL_HOST", ""),
        stripe_configured=bool(config.get("STRIPE_SECRET_KEY")),
    )
