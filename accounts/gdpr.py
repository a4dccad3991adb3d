"""The registry of the GDPR export and account deletion parts contributed by other domains.

accounts sits below the domains that hold a user's rows (memberships, orders, carts, follows,
pledges), so it cannot read them itself. Each domain registers its part at the import of its
package (``<domain>/gdpr.py``, imported by ``<domain>/__init__.py``)::

    register("orders", priority=20, export=export_orders, erase=erase_orders)

:func:`accounts.services.export_user_data` puts each part's export under its ``key`` (default:
its name) and :func:`accounts.services.delete_account` runs the erase functions, in ascending
``priority`` then name: the order is explicit and does not depend on which package was imported
first. An erase function changes rows without committing (the deletion commits once) and may
return facts for the caller (e.g. ``{"orders_anonymised": 3}``), merged into one dict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import User

ExportFn = Callable[["User"], Any]
EraseFn = Callable[["User"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Part:
    name: str
    priority: int
    key: str
    export: ExportFn | None
    erase: EraseFn | None


_PARTS: dict[str, Part] = {}


def register(
    name: str,
    *,
    priority: int,
    export: ExportFn | None = None,
    erase: EraseFn | None = None,
    key: str | None = None,
) -> None:
    """Register (or replace: importing twice is harmless) the part called ``name``."""
    _PARTS[name] = Part(name, priority, key or name, export, erase)


def parts() -> list[Part]:
    return sorted(_PARTS.values(), key=lambda p: (p.priority, p.name))


def export_parts(user: User) -> dict[str, Any]:
    """Each registered part's export, in priority order, keyed by the part's key."""
    return {p.key: p.export(user) for p in parts() if p.export is not None}


def erase_parts(user: User) -> dict[str, Any]:
    """Run every registered erase function in priority order; their facts merged."""
    facts: dict[str, Any] = {}
    for p in parts():
        if p.erase is not None:
            facts.update(p.erase(user) or {})
    return facts
