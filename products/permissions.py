"""Who may see and change products. Pure predicates; views call ``core.security.require``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, select

from core.db import db
from enterprises.models import Enterprise
from enterprises.permissions import can_manage_producer, managed_enterprise_ids
from products.models import Product, Variant


def can_manage_products(user: Any, producer: Enterprise) -> bool:
    """Only the managers of a producer enterprise (or an admin) change its catalogue."""
    return can_manage_producer(user, producer)


def can_edit_product(user: Any, product: Product) -> bool:
    return can_manage_products(user, product.producer)


def is_sold_by_a_hub(product: Product) -> bool:
    """Whether an active hub offers one of the product's active variants in a published cycle
    that is not finished.

    The offers belong to the cycles domain, which depends on this one: to keep the imports one-way
    we read its tables through the shared metadata instead of importing its models.
    """
    tables = db.metadata.tables
    offers, cycles = tables["cycle_offers"], tables["order_cycles"]
    hubs = Enterprise.__table__
    query = select(
        exists().where(
            and_(
                offers.c.variant_id == Variant.id,
                Variant.product_id == product.id,
                Variant.active.is_(True),
                offers.c.active.is_(True),
                offers.c.cycle_id == cycles.c.id,
                cycles.c.published.is_(True),
                cycles.c.done_at.is_(None),
                cycles.c.hub_id == hubs.c.id,
                hubs.c.is_active.is_(True),
            )
        )
    )
    return bool(db.session.scalar(query))


def can_view_product(user: Any, product: Product) -> bool:
    """Managers see their products; everybody else sees an active product of an active producer
    only where a hub sells it."""
    if can_edit_product(user, product):
        return True
    return product.active and product.producer.is_active and is_sold_by_a_hub(product)


def managed_producer_ids(user: Any) -> set[int]:
    """Producer enterprises whose catalogue the user manages (admins: only their memberships)."""
    ids = managed_enterprise_ids(user)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Enterprise.id).where(Enterprise.id.in_(ids), Enterprise.is_producer.is_(True))
        )
    )
