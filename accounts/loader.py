"""Flask-Login wiring: the session loads the user; API requests never use the session."""

from __future__ import annotations

from flask import request, session
from flask_babel import lazy_gettext as _l

from accounts.models import User
from accounts.sessions import SESSION_KEY, session_user
from core.extensions import login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if request.path.startswith("/api/"):
        return None  # the API authenticates by token only, so it needs no CSRF protection
    # the cookie opens the account only while its login is recorded server-side (logging out,
    # or a password change elsewhere, deletes the record): accounts.sessions
    return session_user(user_id, session.get(SESSION_KEY))
