"""Server-side login sessions.

Flask keeps its session in a signed cookie: on its own, a copied cookie would stay valid after
logging out. So each login creates a ``UserSession`` row: the cookie carries a random key
(``SESSION_KEY``), the row its SHA-256, and the user loader accepts a cookie only while its row
exists and is younger than ``max_age()``. Logging out deletes the row; a password change or reset
deletes the user's other rows (and revokes their API tokens, see ``accounts.services``).

These helpers only ``flush()``: the calling service commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from accounts.models import User, UserSession
from core.db import db
from core.timeutils import utcnow

#: the Flask session key holding the login's random key (starts with "_": dropped at each login)
SESSION_KEY = "_sid"
#: a login lasts at most this long (``SESSION_MAX_AGE_DAYS`` in the config), then log in again
DEFAULT_MAX_AGE_DAYS = 30


def max_age() -> timedelta:
    return timedelta(days=int(current_app.config.get("SESSION_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS)))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(user: User, now: datetime | None = None) -> str:
    """Record a new login for the user; returns the key to keep in the cookie."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, key_hash=_digest(key), created_at=now or utcnow()))
    db.session.flush()
    return key


def end_session(key: str | None) -> None:
    """Forget one login (logging out): its cookie no longer opens anything."""
    if key:
        db.session.execute(delete(UserSession).where(UserSession.key_hash == _digest(key)))


def end_sessions(user: User, *, keep: str | None = None) -> None:
    """Forget every login of the user, except the one with key ``keep``."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.key_hash != _digest(keep))
    db.session.execute(query)


def session_user(user_id: str, key: object, now: datetime | None = None) -> User | None:
    """The live user of a cookie whose login is still recorded, else None (one query)."""
    if not isinstance(key, str) or not key:
        return None
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    if not 0 < uid < 2**31:
        return None
    return db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == uid,
            User.deleted_at.is_(None),
            UserSession.key_hash == _digest(key),
            UserSession.created_at > (now or utcnow()) - max_age(),
        )
    )


def purge_expired(now: datetime | None = None) -> int:
    """Delete the records of logins older than ``max_age()`` (they no longer open anything)."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.created_at <= (now or utcnow()) - max_age())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
