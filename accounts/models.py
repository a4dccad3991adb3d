"""Accounts: every user is a citizen; enterprise roles come from memberships."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.timeutils import utcnow

if TYPE_CHECKING:
    from enterprises.models import Membership


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-cased; unique across live and anonymised accounts
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    full_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    #: "fr" or "en": the language of the pages and of the e-mails sent to this user
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    is_admin: Mapped[bool] = mapped_column(default=False)
    email_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: changing it invalidates outstanding password-reset tokens (they embed it)
    password_changed_at: Mapped[datetime | None]
    #: set when the account is deleted: personal data wiped, orders kept anonymised
    deleted_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")
    api_tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    def get_id(self) -> str:
        """The id Flask-Login keeps in the cookie; the session itself is checked against its
        server-side record (``accounts.sessions``)."""
        return str(self.id)

    @property
    def is_active(self) -> bool:  # Flask-Login: deleted accounts cannot log in
        return self.deleted_at is None

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class ApiToken(Model):
    """A personal API token; only its SHA-256 is stored, the clear value is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: first characters of the token, shown in the list so users can tell tokens apart
    prefix: Mapped[str] = mapped_column(String(12))
    #: "read" or "write"
    scope: Mapped[str] = mapped_column(String(10), default="read")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="api_tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"


class UserSession(Model):
    """A logged-in browser. The cookie carries a random key, this row its SHA-256: logging out
    deletes the row, so a copied cookie stops working; a password change or reset deletes the
    user's other rows (``accounts.sessions``)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LoginAttempt(Model):
    """Failed and successful logins, in the database so every app server sees the same count."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class UsedToken(Model):
    """Single-use e-mail tokens (password reset, confirmation) already consumed."""

    __tablename__ = "used_tokens"
    __table_args__ = (UniqueConstraint("purpose", "token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    token_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime] = mapped_column(default=utcnow)


class RateLimitHit(Model):
    """One use of a rate-limited action (sign-up, password reset...) under one key (``ip:...``,
    ``email:...``, ``user:...``), counted over a sliding window by ``accounts.ratelimit``."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_action_key", "action", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
