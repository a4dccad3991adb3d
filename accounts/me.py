"""What other domains add to GET /api/v1/me, registered with accounts (which sits below them).

``contribute("enterprises", fn)``: ``fn(user)`` returns the JSON-ready value put under that key
of the answer (enterprises registers the enterprises the user manages, at the import of its
package). A key nobody contributes keeps the default the API gives it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import User

_PARTS: dict[str, Callable[[User], Any]] = {}


def contribute(key: str, fn: Callable[[User], Any]) -> None:
    """Register (or replace) the function that answers ``key`` of /api/v1/me."""
    _PARTS[key] = fn


def parts(user: User) -> dict[str, Any]:
    return {key: fn(user) for key, fn in sorted(_PARTS.items())}
