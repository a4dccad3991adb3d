"""Authorization helpers shared by every domain (predicates live in each ``permissions.py``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort


def require(allowed: bool, *, hide: bool = False) -> None:
    """Abort with 403, or 404 when the object's existence must stay hidden (someone's order)."""
    if not allowed:
        abort(404 if hide else 403)


def safe_next_url(target: str | None, default: str = "/") -> str:
    """Accept only relative paths on this site (no scheme, no host, no ``//evil``)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default  # a CR/LF would split the Location header; controls have no place here
    return target
