"""OpenID Connect access tokens on the DFC API, from one configured issuer (the DFC ecosystem's
is Les Communs' Keycloak, ``https://login.lescommuns.org/auth/realms/data-food-consortium``).

A token is a JWT signed by the issuer: checked with PyJWT against the issuer's JWKS (fetched
with ``PyJWKClient``, keys cached, fetched again when a token names a key id not yet seen), for
its signature, ``iss``, ``exp`` (and ``nbf``, ``iat``), ``aud`` when an audience is configured.
Then:
- the **platform** is the token's client (``azp``, or ``client_id``): only the platforms listed
  in ``DFC_OIDC_PLATFORMS`` are let in, each with its scopes (``read``, ``write``);
- the **account** is the one this subject (``iss`` + ``sub``) was linked to; the first time, the
  account whose e-mail address is the token's ``email`` when the issuer says it is verified
  (``email_verified``), as OFN finds its user by the token's e-mail. No account: refused.

Settings (app config, else environment): ``DFC_OIDC_ISSUER`` (empty: OIDC off),
``DFC_OIDC_JWKS_URL`` (default: Keycloak's ``<issuer>/protocol/openid-connect/certs``),
``DFC_OIDC_AUDIENCE`` (optional), ``DFC_OIDC_PLATFORMS`` (JSON:
``{"<client id>": {"name": "Open Food Network UK", "scopes": ["read", "write"]}}``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from accounts.models import User
from core.db import db
from core.errors import DomainError
from core.timeutils import utcnow
from interop.models import OidcIdentity

#: asymmetric algorithms only: a token signed with a shared secret (HS256) is never accepted
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LEEWAY_SECONDS = 30


class InvalidToken(DomainError):
    code = "invalid_token"
    status = 401
    message = _l("The access token is not valid.")


class UnknownPlatform(InvalidToken):
    code = "unknown_platform"
    message = _l("This access token was issued to a platform that is not allowed here.")


class UnknownAccount(InvalidToken):
    code = "unknown_account"
    message = _l("No account matches this access token (a verified e-mail address is needed).")


@dataclass(frozen=True)
class Platform:
    client_id: str
    name: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    jwks_url: str
    audience: str | None
    platforms: Mapping[str, Platform]


def _setting(config: Mapping[str, Any], name: str) -> Any:
    value = config.get(name)
    return value if value is not None else os.environ.get(name, "")


def settings_from(config: Mapping[str, Any]) -> OidcSettings | None:
    """The OIDC settings, or None when no issuer is configured."""
    issuer = str(_setting(config, "DFC_OIDC_ISSUER") or "").rstrip("/")
    if not issuer:
        return None
    jwks_url = str(_setting(config, "DFC_OIDC_JWKS_URL") or "") or (
        issuer + "/protocol/openid-connect/certs"
    )
    raw = _setting(config, "DFC_OIDC_PLATFORMS") or {}
    if isinstance(raw, str):
        raw = json.loads(raw) if raw.strip() else {}
    platforms = {
        client_id: Platform(
            client_id=client_id,
            name=str(spec.get("name") or client_id),
            scopes=frozenset(spec.get("scopes") or ["read"]),
        )
        for client_id, spec in dict(raw).items()
    }
    audience = str(_setting(config, "DFC_OIDC_AUDIENCE") or "") or None
    return OidcSettings(issuer=issuer, jwks_url=jwks_url, audience=audience, platforms=platforms)


_clients: dict[str, jwt.PyJWKClient] = {}
_clients_lock = threading.Lock()


def jwks_client(url: str) -> jwt.PyJWKClient:
    """One client per JWKS URL per process (it caches the keys for 5 minutes)."""
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=5)
        return client


def looks_like_jwt(raw: str) -> bool:
    return raw.count(".") == 2 and raw.startswith("ey")


def verify(raw: str, settings: OidcSettings) -> dict[str, Any]:
    """The token's claims, checked. Raises InvalidToken with the reason."""
    try:
        key = jwks_client(settings.jwks_url).get_signing_key_from_jwt(raw)
        claims: dict[str, Any] = jwt.decode(
            raw,
            key.key,
            algorithms=ALGORITHMS,
            issuer=settings.issuer,
            audience=settings.audience,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "sub"], "verify_aud": settings.audience is not None},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken(_l("The access token has expired.")) from None
    except jwt.InvalidIssuerError:
        raise InvalidToken(_l("The access token comes from another issuer.")) from None
    except jwt.InvalidAudienceError:
        raise InvalidToken(_l("The access token is meant for another audience.")) from None
    except jwt.PyJWKClientConnectionError:
        raise InvalidToken(_l("The issuer's keys cannot be read: try again later.")) from None
    except (jwt.PyJWKClientError, jwt.InvalidTokenError):
        raise InvalidToken(_l("The access token's signature cannot be verified.")) from None
    return claims


def platform_of(claims: Mapping[str, Any], settings: OidcSettings) -> Platform:
    client_id = str(claims.get("azp") or claims.get("client_id") or "")
    platform = settings.platforms.get(client_id)
    if platform is None:
        raise UnknownPlatform()
    return platform


def account_of(claims: Mapping[str, Any], settings: OidcSettings) -> User:
    """The account of the token's subject; linked on first use by verified e-mail. Commits the
    link (or its last use) on its own, like an API token's ``last_used_at``."""
    subject = str(claims["sub"])
    identity = db.session.scalar(
        select(OidcIdentity).where(
            OidcIdentity.issuer == settings.issuer, OidcIdentity.subject == subject
        )
    )
    now = utcnow()
    if identity is not None:
        user = identity.user
        if user.deleted_at is not None:
            raise UnknownAccount()
        if identity.last_used_at is None or (now - identity.last_used_at).total_seconds() > 60:
            identity.last_used_at = now
            db.session.commit()
        return user
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise UnknownAccount()
    found = db.session.scalar(
        select(User).where(func.lower(User.email) == email, User.deleted_at.is_(None))
    )
    if found is None:
        raise UnknownAccount()
    db.session.add(
        OidcIdentity(
            issuer=settings.issuer, subject=subject[:255], user_id=found.id, last_used_at=now
        )
    )
    db.session.commit()
    return found
