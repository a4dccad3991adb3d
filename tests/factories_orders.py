"""Helpers for order and payment tests: an open cycle with offers, a window and a slot."""

from __future__ import annotations

from dataclasses import dataclass, field

from cycles.models import CycleOffer, FeeKind, OrderCycle, PickupSlot, PickupWindow
from tests.factories import (
    CycleOfferFactory,
    HubFactory,
    OrderCycleFactory,
    PickupSlotFactory,
    PickupWindowFactory,
    ProducerFactory,
    ProductFactory,
    VariantFactory,
)


@dataclass
class Shop:
    cycle: OrderCycle
    window: PickupWindow
    slot: PickupSlot | None
    offers: list[CycleOffer] = field(default_factory=list)

    @property
    def hub(self):
        return self.cycle.hub


def make_shop(
    *,
    offers: int = 2,
    producers: int = 2,
    stock: int = 100,
    remaining: int | None = None,
    price_cents: int = 450,
    fee_bp: int = 1000,
    slot_capacity: int | None = 10,
    hub_kwargs: dict | None = None,
    cycle_kwargs: dict | None = None,
) -> Shop:
    """An open cycle of a hub selling ``offers`` variants spread over ``producers`` producers."""
    hub = HubFactory(**(hub_kwargs or {}))
    cycle = OrderCycleFactory(hub=hub, **(cycle_kwargs or {}))
    window = PickupWindowFactory(cycle=cycle)
    slot = PickupSlotFactory(window=window, capacity=slot_capacity) if slot_capacity else None
    farms = [ProducerFactory() for _ in range(producers)]
    made = []
    for i in range(offers):
        farm = farms[i % producers]
        product = ProductFactory(producer=farm, name=f"Produit {i:05d}")
        variant = VariantFactory(product=product, price_cents=price_cents, stock=stock)
        made.append(
            CycleOfferFactory(
                cycle=cycle,
                variant=variant,
                stock_cap=remaining,
                remaining=remaining,
                hub_fee_kind=FeeKind.percent,
                hub_fee_value=fee_bp,
            )
        )
    return Shop(cycle=cycle, window=window, slot=slot, offers=made)
