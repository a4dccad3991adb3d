"""What orders tell cycles about the use of its rows, registered by the orders package.

orders builds on cycles, so cycles cannot read orders itself (.importlinter). Yet it must refuse
to delete a pickup window that orders use, delete an offer only when it was never ordered
(otherwise switch it off), and keep an offer's cap above what was sold. The orders package
registers those answers when it is imported (``orders/cycle_usage.py``, imported by
``orders/__init__.py``), as it registers its part of the GDPR export (``accounts.gdpr``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol


class OrderUsage(Protocol):
    def orders_on_window(self, window_id: int) -> int:
        """Orders placed for the pickup window, whatever their state."""

    def units_sold(self, offer_id: int) -> int:
        """Units of the offer in orders that are not cancelled."""

    def ordered_offers(self, offer_ids: Collection[int]) -> set[int]:
        """Those of ``offer_ids`` that any order line names, cancelled orders included."""


_registered: list[OrderUsage] = []


def register(usage: OrderUsage) -> None:
    """Register (or replace: importing twice is harmless) the answers of the orders package."""
    _registered[:] = [usage]


def orders() -> OrderUsage:
    if not _registered:
        # a cycle's windows and offers must never be removed without asking: fail loudly
        raise RuntimeError("the orders package is not imported: nothing answers cycles.usage")
    return _registered[0]
