"""What a producer offers now, and where: the products of its public page.

A product is "available now" when one of its active variants is offered (offer active, not sold
out) in an open cycle of an active hub: the same cycles whose shops take orders
(``cycles.services._open_filter`` and ``cycles.permissions.shop_is_public``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from core.db import db
from core.timeutils import utcnow
from cycles.models import CycleOffer, OrderCycle
from cycles.services import _open_filter
from enterprises.models import Enterprise
from products.models import Product, Variant


@dataclass
class ProductNow:
    """A product on offer now, with the open cycles (hub loaded) that sell it."""

    product: Product
    cycles: list[OrderCycle] = field(default_factory=list)


def producer_offers_now(producer: Enterprise, now: datetime | None = None) -> list[ProductNow]:
    """The producer's products on offer in open cycles, by name; each with the cycles selling
    it, by hub name (one per hub: the one closing first). One query (and one for the products'
    photos), whatever the number of products, variants and hubs."""
    now = now or utcnow()
    hub = aliased(Enterprise)
    rows = db.session.execute(
        select(Product, OrderCycle)
        .join(Variant, Variant.product_id == Product.id)
        .join(CycleOffer, CycleOffer.variant_id == Variant.id)
        .join(OrderCycle, OrderCycle.id == CycleOffer.cycle_id)
        .join(hub, hub.id == OrderCycle.hub_id)
        .options(contains_eager(OrderCycle.hub.of_type(hub)), selectinload(Product.photos))
        .where(
            CycleOffer.producer_id == producer.id,
            CycleOffer.active.is_(True),
            or_(CycleOffer.remaining.is_(None), CycleOffer.remaining > 0),
            Variant.active.is_(True),
            Product.active.is_(True),
            hub.is_active.is_(True),
            _open_filter(now),
        )
        .order_by(Product.name, Product.id, hub.name, OrderCycle.closes_at, OrderCycle.id)
    ).all()
    found: dict[int, ProductNow] = {}
    for product, cycle in rows:
        item = found.setdefault(product.id, ProductNow(product))
        if all(c.hub_id != cycle.hub_id for c in item.cycles):  # one cycle per hub: the first
            item.cycles.append(cycle)
    return list(found.values())
