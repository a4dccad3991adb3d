"""The hub and cycle a back-office page is about, loaded and checked once for every area
(orders, pickup, reports, dashboard): 404 when missing, 403 unless ``can_run_hub_orders``,
and a cycle of another hub is hidden as missing."""

from __future__ import annotations

from flask_login import current_user

from core.views import load
from cycles.models import OrderCycle
from enterprises.models import Enterprise
from operations.permissions import can_run_hub_orders


def hub_or_404(hub_id: int) -> Enterprise:
    return load(Enterprise, hub_id, allow=lambda hub: can_run_hub_orders(current_user, hub))


def hub_cycle_or_404(hub_id: int, cycle_id: int) -> tuple[Enterprise, OrderCycle]:
    hub = hub_or_404(hub_id)
    return hub, load(OrderCycle, cycle_id, where=lambda cycle: cycle.hub_id == hub.id)
