"""Home page, language switch, health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from sqlalchemy import text

from core.db import db
from core.security import safe_next_url
from core.timeutils import utcnow
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
