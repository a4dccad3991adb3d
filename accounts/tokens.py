"""Signed, expiring e-mail tokens (address confirmation, password reset, change of address).

``itsdangerous.URLSafeTimedSerializer`` with the app's SECRET_KEY and one salt per purpose, so a
token made for one purpose is refused for another. Nothing is stored until a token is used.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM_EMAIL = "accounts.confirm-email"
RESET_PASSWORD = "accounts.reset-password"  # noqa: S105 - a salt name, not a secret
CHANGE_EMAIL = "accounts.change-email"

#: how long a link stays valid, in seconds
MAX_AGE = {
    CONFIRM_EMAIL: 3 * 24 * 3600,
    RESET_PASSWORD: 3600,
    CHANGE_EMAIL: 24 * 3600,
}


class TokenInvalid(Exception):
    """Tampered with, made for another purpose, or unreadable."""


class TokenExpired(TokenInvalid):
    """Correctly signed but older than the purpose allows."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str) -> dict[str, Any]:
    """The payload of a valid token; raises TokenExpired or TokenInvalid."""
    try:
        data = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except BadSignature as exc:
        raise TokenInvalid() from exc
    if not isinstance(data, dict):
        raise TokenInvalid()
    return data


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
