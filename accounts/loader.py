"""Flask-Login wiring: the session loads the user; API requests never use the session."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from accounts.models import User
from core.db import db
from core.extensions import login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if request.path.startswith("/api/"):
        return None  # the API authenticates by token only, so it needs no CSRF protection
    raw_id, _, stamp = user_id.partition(".")
    try:
        user = db.session.get(User, int(raw_id))
    except ValueError:
        return None
    if user is None or user.deleted_at is not None:
        return None
    # a bare id (sessions opened before ids carried the stamp) is valid only while the password
    # has never changed; after a change, only sessions opened since then match
    if user_id != user.get_id() and not (not stamp and user.password_changed_at is None):
        return None
    return user
