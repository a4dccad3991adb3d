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
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        return None
    if user is None or user.deleted_at is not None:
        return None
    return user
