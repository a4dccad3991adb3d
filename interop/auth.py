"""Who calls the DFC API: a Comptoir API token (``accounts.api_auth``) or an OpenID Connect
access token of the configured issuer (``interop.oidc``), both as ``Authorization: Bearer``.

``dfc_auth(scope)`` sets what ``token_required`` sets (``g.api_user``: the views read
``api_user()``), plus ``g.dfc_platform``: the OIDC platform, None for an API token. A write
needs a write API token, or a platform with the ``write`` scope.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request

from accounts.api_auth import InsufficientScope, token_required
from interop import oidc

F = TypeVar("F", bound=Callable[..., Any])

#: the OpenAPI security scheme of OIDC tokens (added to the document by interop.openapi)
OIDC_SCHEME = "oidcToken"


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def dfc_auth(scope: str = "read") -> Callable[[F], F]:
    def decorator(view: F) -> F:
        by_api_token = token_required(scope)(view)

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            raw = _bearer()
            settings = oidc.settings_from(current_app.config)
            if raw is None or settings is None or not oidc.looks_like_jwt(raw):
                g.dfc_platform = None
                return by_api_token(*args, **kwargs)
            claims = oidc.verify(raw, settings)
            platform = oidc.platform_of(claims, settings)
            if scope not in platform.scopes:
                raise InsufficientScope(
                    f"The platform {platform.name} may not {scope} here (scopes: "
                    f"{', '.join(sorted(platform.scopes))})."
                )
            g.api_user = oidc.account_of(claims, settings)
            g.api_token = None
            g.dfc_platform = platform
            return view(*args, **kwargs)

        wrapped._apidoc = getattr(by_api_token, "_apidoc", {})  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def platform_name() -> str:
    """The name the caller's orders are shown under: the OIDC platform's, or the API token's."""
    platform = g.get("dfc_platform")
    if platform is not None:
        return str(platform.name)
    token = g.get("api_token")
    return str(token.name) if token is not None else ""
