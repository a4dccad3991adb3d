"""Stock, slot and cycle place: what is left, the locks, taking and giving back.

Lock order, the same in every use case so that two transactions never wait for each other in a
circle: the order row (when it exists) → the variants in id order → the cycle offers in id order
→ the pickup slot row → the cycle row, last, right before the commit. Every order of a cycle
updates the cycle row (``orders_count``), so whatever runs while it is locked runs one order at
a time: building the order, its lines and its e-mail happens before, under the per-item locks
only, and the cycle lock is held for one UPDATE and the COMMIT. The slot and cycle rows are
locked ``FOR NO KEY UPDATE``: inserting an order takes a ``KEY SHARE`` lock on them (foreign
keys), which ``FOR UPDATE`` would wait for. Side effects (Stripe, e-mails) happen after the commit.
What needs no lock at all (checkout: the sales terms version, the order's id, emptying the cart)
is done before the item locks, since whatever runs under them makes the next order wait.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from core.db import db
from cycles.models import CycleOffer, OrderCycle, PickupSlot
from cycles.services import require_open
from orders.errors import (
    CycleClosed,
    CycleFull,
    SlotFull,
)
from products.models import Product, Variant

log = logging.getLogger(__name__)

#: the largest quantity of one item in one order (a typo guard, not a stock rule)
MAX_QUANTITY = 999


# --------------------------------------------------------------------------- availability


def available_quantity(offer: CycleOffer, variant: Variant) -> int | None:
    """How many items can still be ordered (None: unlimited)."""
    limits: list[int] = []
    if not variant.on_demand:
        limits.append(max(variant.stock, 0))
    if offer.remaining is not None:
        limits.append(max(offer.remaining, 0))
    return min(limits) if limits else None


def item_name(variant: Variant) -> str:
    return f"{variant.product.name} ({variant.name})"


def _sellable(offer: CycleOffer | None, cycle: OrderCycle) -> bool:
    return (
        offer is not None
        and offer.cycle_id == cycle.id
        and offer.active
        and offer.variant.active
        and offer.variant.product.active
    )


# --------------------------------------------------------------------------- locks and counts


def _lock_cycle(cycle_id: int) -> OrderCycle:
    """Lock the cycle row (last of all the locks: see the module docstring)."""
    cycle = db.session.scalar(
        select(OrderCycle)
        .where(OrderCycle.id == cycle_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if cycle is None:
        raise CycleClosed()
    return cycle


def _book_slot(slot_id: int) -> None:
    """Book a place in the slot: one conditional UPDATE (the row stays locked until the commit).

    Raises SlotFull when the slot is full or gone.
    """
    booked = db.session.scalar(
        update(PickupSlot)
        .where(PickupSlot.id == slot_id, PickupSlot.booked < PickupSlot.capacity)
        .values(booked=PickupSlot.booked + 1)
        .returning(PickupSlot.id)
        # in-memory objects follow (e.g. the order page rendered after the commit)
        .execution_options(synchronize_session="fetch")
    )
    if booked is None:
        raise SlotFull()


def _take_cycle_place(cycle_id: int, now: datetime) -> None:
    """Count the order in its cycle, the last lock of a checkout.

    Every order of a cycle updates this row, so checkouts queue here one at a time: one
    ``UPDATE ... RETURNING`` (rather than SELECT FOR UPDATE then UPDATE) keeps the row locked
    for one round trip and the COMMIT. The state and the cap are checked on the row as updated;
    a refusal raises and the caller's transaction is rolled back, increment included.
    """
    # the updated row comes back as the session's cycle, refreshed (state fields included)
    cycle = db.session.scalars(
        update(OrderCycle)
        .where(OrderCycle.id == cycle_id)
        .values(orders_count=OrderCycle.orders_count + 1, updated_at=now)
        .returning(OrderCycle),
        execution_options={"populate_existing": True},
    ).one_or_none()
    if cycle is None:
        raise CycleClosed()
    require_open(cycle, now)
    if cycle.order_cap is not None and cycle.orders_count > cycle.order_cap:
        raise CycleFull()


def _lock_slot(slot_id: int) -> PickupSlot | None:
    return db.session.scalar(
        select(PickupSlot)
        .where(PickupSlot.id == slot_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


def lock_variants(variant_ids: Iterable[int]) -> dict[int, Variant]:
    """Lock variants in id order (their product comes along); return them by id. The same
    locks as checkout's, for an order that takes a variant's stock outside any cycle (an order
    received from another platform, ``interop.received``)."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    variants = db.session.scalars(
        select(Variant)
        .where(Variant.id.in_(ids))
        .order_by(Variant.id)
        .options(joinedload(Variant.product, innerjoin=True))
        .with_for_update(of=Variant)
        .execution_options(populate_existing=True)
    )
    return {variant.id: variant for variant in variants}


def variant_available(variant: Variant) -> int | None:
    """How many items of the variant are left outside any cycle (None: on demand)."""
    return None if variant.on_demand else max(variant.stock, 0)


def take_variant_stock(variant: Variant, quantity: int) -> None:
    """Take (or, with a negative quantity, give back) a locked variant's stock."""
    if not variant.on_demand:
        variant.stock -= quantity


def _lock_stock(offer_ids: Iterable[int]) -> dict[int, CycleOffer]:
    """Lock the variants then the offers, each in id order; return the offers by id."""
    ids = sorted(set(offer_ids))
    if not ids:
        return {}
    # one statement: PostgreSQL sorts the rows, then locks them in that order
    list(
        db.session.scalars(
            select(Variant)
            .where(Variant.id.in_(select(CycleOffer.variant_id).where(CycleOffer.id.in_(ids))))
            .order_by(Variant.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    offers = db.session.scalars(
        select(CycleOffer)
        .where(CycleOffer.id.in_(ids))
        .order_by(CycleOffer.id)
        # the variants come along (already locked above): no lazy load per offer afterwards;
        # of the product, what an order line copies and the sale checks (not its descriptions
        # and food information)
        .options(
            joinedload(CycleOffer.variant, innerjoin=True)
            .joinedload(Variant.product, innerjoin=True)
            .load_only(
                Product.id,
                Product.producer_id,
                Product.name,
                Product.vat_rate_bp,
                Product.active,
            )
        )
        .with_for_update(of=CycleOffer)
        .execution_options(populate_existing=True)
    )
    return {offer.id: offer for offer in offers}


def _take_stock(offer: CycleOffer, quantity: int) -> None:
    take_variant_stock(offer.variant, quantity)
    if offer.remaining is not None:
        offer.remaining -= quantity


def _return_stock(offer: CycleOffer | None, quantity: int) -> None:
    if offer is None:
        return
    variant = offer.variant
    if variant is not None and not variant.on_demand:
        variant.stock += quantity
    if offer.remaining is not None:
        offer.remaining += quantity
