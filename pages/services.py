"""Public listings shared by the home page and the hub directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.db import db
from cycles.models import OrderCycle
from enterprises.models import Enterprise


@dataclass(frozen=True)
class HubListing:
    hub: Enterprise
    open_cycle: OrderCycle | None


def list_public_hubs(now: datetime) -> list[HubListing]:
    """Active hubs, those with an open cycle first (soonest closing first), then by name.

    Two queries whatever the number of hubs.
    """
    hubs = list(
        db.session.scalars(
            select(Enterprise)
            .where(Enterprise.is_hub.is_(True), Enterprise.is_active.is_(True))
            .order_by(Enterprise.name)
        )
    )
    cycles = db.session.scalars(
        select(OrderCycle)
        .where(
            OrderCycle.published.is_(True),
            OrderCycle.done_at.is_(None),
            OrderCycle.opens_at <= now,
            OrderCycle.closes_at > now,
            OrderCycle.hub_id.in_([h.id for h in hubs]),
        )
        .order_by(OrderCycle.closes_at)
    )
    open_by_hub: dict[int, OrderCycle] = {}
    for cycle in cycles:
        if cycle.is_open(now):
            open_by_hub.setdefault(cycle.hub_id, cycle)
    listings = [HubListing(h, open_by_hub.get(h.id)) for h in hubs]
    listings.sort(
        key=lambda item: (
            item.open_cycle is None,
            item.open_cycle.effective_closes_at if item.open_cycle else now,
            item.hub.name.lower(),
        )
    )
    return listings
