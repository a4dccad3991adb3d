"""Who may run a hub's orders and see a producer's lines (pure predicates).

A hub's managers (and platform admins) see and change the hub's orders, reports and pickup
lists, never another hub's. A producer's managers see the lines of their own products, with the
customer's name only: never the customer's e-mail address or phone.
"""

from __future__ import annotations

from typing import Any

from enterprises.models import Enterprise
from enterprises.permissions import can_manage_hub, can_manage_producer


def can_run_hub_orders(user: Any, hub: Enterprise) -> bool:
    """Orders, pickup lists, reports and dashboard of ``hub``."""
    return can_manage_hub(user, hub)


def can_see_producer_lines(user: Any, producer: Enterprise) -> bool:
    """The order lines of ``producer``'s products, across every hub and cycle."""
    return can_manage_producer(user, producer)
