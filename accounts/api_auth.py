"""Personal API tokens: ``Authorization: Bearer <token>`` (or ``X-Api-Token``)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accounts.models import ApiToken, User
from core.db import db
from core.errors import DomainError
from core.timeutils import utcnow

F = TypeVar("F", bound=Callable[..., Any])
TOKEN_PREFIX = "cpt_"  # noqa: S105 - a public prefix, not a secret


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401
    message = "A valid API token is required (Authorization: Bearer <token>)."


class InsufficientScope(DomainError):
    code = "insufficient_scope"
    status = 403
    message = "This API token is read-only."


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token_value() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _raw_token_from_request() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("X-Api-Token") or None


def authenticate_request() -> tuple[User, ApiToken] | None:
    raw = _raw_token_from_request()
    if not raw:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))  # one statement per API call, not two
    )
    if token is None or token.user.deleted_at is not None:
        return None
    return token.user, token


def token_required(scope: str = "read", *, optional: bool = False) -> Callable[[F], F]:
    """Authenticate the API caller; ``scope="write"`` refuses read-only tokens.

    With ``optional=True`` anonymous calls go through with ``g.api_user = None``.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            found = authenticate_request()
            if found is None:
                if optional and _raw_token_from_request() is None:
                    g.api_user = None
                    g.api_token = None
                    return view(*args, **kwargs)
                raise Unauthorized()
            user, token = found
            if scope == "write" and token.scope != "write":
                raise InsufficientScope()
            g.api_user = user
            g.api_token = token
            # last_used_at is informative: updated at most once a minute to spare writes
            now = utcnow()
            if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
                token.last_used_at = now
                # committed on its own: read-only endpoints never commit, and the account page
                # shows "last used" to help people spot a leaked or forgotten token
                db.session.commit()
            return view(*args, **kwargs)

        _document(wrapped, scope, optional)
        return wrapped  # type: ignore[return-value]

    return decorator


#: the OpenAPI security requirement of an operation that takes a token (core.config)
SECURITY: list[dict[str, list[str]]] = [{"bearerToken": []}, {"tokenHeader": []}]


def _document(view: Any, scope: str, optional: bool) -> None:
    """Say in the OpenAPI document what ``token_required`` enforces: the token (or none, when
    optional) and the 401/403 answers. Written where flask-smorest's ``Blueprint.doc`` writes."""
    apidoc = deepcopy(getattr(view, "_apidoc", {}))
    manual = apidoc.setdefault("manual_doc", {})
    manual["security"] = [*SECURITY, {}] if optional else SECURITY
    responses = manual.setdefault("responses", {})
    responses["401"] = {"description": f"`{Unauthorized.code}`: {Unauthorized.message}"}
    if scope == "write":
        responses["403"] = {
            "description": f"`{InsufficientScope.code}`: {InsufficientScope.message}"
        }
    view._apidoc = apidoc


def api_user() -> User | None:
    return g.get("api_user")


def api_caller() -> User:
    """The caller of an operation under ``token_required`` without ``optional``: always a user
    (Unauthorized otherwise, should one be called outside it)."""
    user = api_user()
    if user is None:
        raise Unauthorized()
    return user
