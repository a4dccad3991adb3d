"""Helpers for order and payment tests: an open cycle with offers, a window and a slot."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

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


@dataclass
class Market:
    """A hub with an open weekly cycle selling two producers' products (browser journeys).

    Everything is committed; ids only (the browser's requests use other sessions).
    """

    hub_id: int
    manager_id: int
    cycle_id: int
    window_id: int
    slot_ids: list[int]
    tomato_offer_id: int
    butter_offer_id: int
    egg_offer_id: int


def make_market(*, hub_name: str = "La Grange", stripe_account_id: str = "") -> Market:
    """La Grange (Rennes 35200): tomatoes and eggs from one farm, butter from another.

    Prices (VAT included): tomatoes 4,50 € per kg bag, butter 3,20 €, eggs 2,80 €; hub fee 10 %.
    Pickup the day after the close, 17:00–19:00 Paris time, two 30-minute slots of 4 places.
    """
    from datetime import time, timedelta

    from core.db import db
    from core.timeutils import local_date, local_to_utc, utcnow
    from hubs.models import Postcode
    from tests.factories import DistributionPointFactory, MembershipFactory, UserFactory

    hub = HubFactory(
        name=hub_name,
        slug="la-grange-e2e",
        postcode="35200",
        city="Rennes",
        stripe_account_id=stripe_account_id,
        stripe_charges_enabled=bool(stripe_account_id),
    )
    manager = UserFactory(full_name="Yann Morvan")
    MembershipFactory(user=manager, enterprise=hub)
    if db.session.scalar(select(Postcode.id).where(Postcode.postcode == "35200")) is None:
        db.session.add(
            Postcode(
                postcode="35200",
                commune="Rennes",
                insee_code="35238",
                department="35",
                latitude=Decimal("48.0936"),
                longitude=Decimal("-1.6580"),
            )
        )
    now = utcnow()
    cycle = OrderCycleFactory(
        hub=hub,
        name="Panier de la semaine",
        now=now,  # opened a day ago, closing at noon in two days (Paris time)
    )
    pickup_day = local_date(cycle.closes_at) + timedelta(days=1)
    point = DistributionPointFactory(hub=hub, name="Salle du fond", address="12 rue de la Grange")
    window = PickupWindowFactory(
        cycle=cycle,
        distribution_point=point,
        starts_at=local_to_utc(pickup_day, time(17, 0)),
        ends_at=local_to_utc(pickup_day, time(19, 0)),
    )
    slots = [
        PickupSlotFactory(
            window=window,
            starts_at=local_to_utc(pickup_day, time(17, 0 + 30 * i)),
            ends_at=local_to_utc(pickup_day, time(17, 30)) + timedelta(minutes=30 * i),
            capacity=4,
        )
        for i in range(2)
    ]
    farm = ProducerFactory(name="Ferme des Quatre Vents", slug="quatre-vents-e2e", city="Pacé")
    dairy = ProducerFactory(name="GAEC du Moulin", slug="moulin-e2e", city="Bréal")

    def offer(producer, name, variant_name, price, stock, vat_bp=550):
        product = ProductFactory(producer=producer, name=name, vat_rate_bp=vat_bp)
        variant = VariantFactory(product=product, name=variant_name, price_cents=price, stock=stock)
        return CycleOfferFactory(
            cycle=cycle, variant=variant, hub_fee_kind=FeeKind.percent, hub_fee_value=1000
        )

    tomatoes = offer(farm, "Tomates anciennes", "sachet 1 kg", 450, 20)
    eggs = offer(farm, "Œufs plein air", "boîte de 6", 280, 30)
    butter = offer(dairy, "Beurre demi-sel", "plaquette 250 g", 320, 12)
    db.session.commit()
    return Market(
        hub_id=hub.id,
        manager_id=manager.id,
        cycle_id=cycle.id,
        window_id=window.id,
        slot_ids=[s.id for s in slots],
        tomato_offer_id=tomatoes.id,
        butter_offer_id=butter.id,
        egg_offer_id=eggs.id,
    )
