"""Security headers of every answer, set in one place (docs/security.md, "Security headers").

The Content-Security-Policy allows only this site's own files: no inline script or style
(templates keep behaviour in ``static/js/`` and looks in ``static/css/``), no plug-ins, no
framing by anyone, forms posting only here. A page that loads Stripe.js says so with
:func:`allows_stripe`; it then also allows the Stripe origins that Stripe documents for its
CSP (or, in tests, the configured ``STRIPE_API_BASE`` that serves localstripe's stand-in).
The map page (:func:`allows_map_tiles`) also allows the origin of its tiles (``MAP_TILE_URL``).

HSTS is sent only when the site is on HTTPS: the request is secure (behind the load balancer,
``TRUSTED_PROXIES`` makes ProxyFix read ``X-Forwarded-Proto``), or ``BASE_URL`` /
``PREFERRED_URL_SCHEME`` say https. Browsers ignore it over plain HTTP anyway.

flask-talisman does the same, but its last release is from 2023 and its defaults (forcing
HTTPS, secure session cookies) fight the development setup: the ~60 lines here are ours.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

F = TypeVar("F", bound=Callable[..., Any])

#: a year; without includeSubDomains (other hosts of the operator's domain are not ours)
HSTS_MAX_AGE = 31_536_000

BASE_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

#: https://docs.stripe.com/security/guide#content-security-policy
STRIPE_SOURCES: dict[str, list[str]] = {
    "script-src": ["https://js.stripe.com", "https://*.js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def stripe_sources(config: Any) -> dict[str, list[str]]:
    """Where Stripe.js comes from and talks to: Stripe, or the configured stand-in."""
    base = (config.get("STRIPE_API_BASE") or "").strip()
    if base:
        origin = _origin(base)
        return {"script-src": [origin], "frame-src": [origin], "connect-src": [origin]}
    return STRIPE_SOURCES


#: Stripe Connect onboarding (Account Links): a form here redirects the manager there, and a
#: browser checks form-action on the redirect too
STRIPE_ONBOARDING_SOURCES: dict[str, list[str]] = {"form-action": ["https://connect.stripe.com"]}


def stripe_onboarding_sources(config: Any) -> dict[str, list[str]]:
    base = (config.get("STRIPE_API_BASE") or "").strip()
    return {"form-action": [_origin(base)]} if base else STRIPE_ONBOARDING_SOURCES


def allows_stripe_onboarding(view: F) -> F:
    """Mark a view whose page has a form leading to Stripe's onboarding (the hub's settings)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.csp_allows_stripe_onboarding = True
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def allows_stripe(view: F) -> F:
    """Mark a view whose page loads Stripe.js: its policy also allows the Stripe origins."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.csp_allows_stripe = True
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def tile_sources(config: Any) -> dict[str, list[str]]:
    """The map page's tiles (``MAP_TILE_URL``, e.g. OpenStreetMap): their origin as an image
    source; a ``{s}`` sub-domain placeholder becomes a ``*.`` wildcard."""
    url = str(config.get("MAP_TILE_URL") or "").strip()
    if not url.startswith(("https://", "http://")):
        return {}
    parts = urlsplit(url.replace("{s}", "__s__"))
    host = parts.netloc.replace("__s__", "*")
    if not host or "{" in host:
        return {}
    return {"img-src": [f"{parts.scheme}://{host}"]}


def allows_map_tiles(view: F) -> F:
    """Mark a view whose page shows the map: its policy also allows the tiles' origin."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.csp_allows_tiles = True
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def content_security_policy(
    *, with_stripe: bool = False, with_onboarding: bool = False, with_tiles: bool = False
) -> str:
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    extra: list[dict[str, list[str]]] = []
    if with_tiles:
        extra.append(tile_sources(current_app.config))
    if with_stripe:
        extra.append(stripe_sources(current_app.config))
    if with_onboarding:
        extra.append(stripe_onboarding_sources(current_app.config))
    for allowed in extra:
        for name, sources in allowed.items():
            policy[name] = [s for s in policy[name] if s != "'none'"] + sources
    report = current_app.config.get("CSP_REPORT_URI")
    parts = [f"{name} {' '.join(sources)}" for name, sources in policy.items()]
    if report:
        parts.append(f"report-uri {report}")
    return "; ".join(parts)


def on_https() -> bool:
    config = current_app.config
    return (
        request.is_secure
        or config.get("PREFERRED_URL_SCHEME") == "https"
        or str(config.get("BASE_URL", "")).startswith("https://")
    )


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        content_security_policy(
            with_stripe=bool(g.get("csp_allows_stripe")),
            with_onboarding=bool(g.get("csp_allows_stripe_onboarding")),
            with_tiles=bool(g.get("csp_allows_tiles")),
        ),
    )
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin-allow-popups")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=()")
    if on_https():
        headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE}")
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)
