"""Logging a user in from a test: the Flask session keys plus the login's server-side record
(``accounts.sessions``: without it, the cookie opens nothing)."""

from __future__ import annotations

from accounts.models import User
from accounts.sessions import SESSION_KEY, open_session
from core.db import db


def session_values(user: User | int) -> dict[str, object]:
    """Flask-Login's keys for ``user`` (a User or an id); records the login and commits."""
    if not isinstance(user, User):
        found = db.session.get(User, user)
        assert found is not None, user
        user = found
    key = open_session(user)
    db.session.commit()
    return {"_user_id": user.get_id(), "_fresh": True, SESSION_KEY: key}


def log_in(sess, user: User | int) -> None:
    """Within ``client.session_transaction() as sess``: log ``user`` in on that session."""
    sess.update(session_values(user))
