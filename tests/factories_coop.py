"""Hand-computed fixtures for the cooperative's public figures (territories, accounts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from core.db import db
from orders.models import Order, OrderLine, OrderStatus
from tests.factories import (
    DistributionPointFactory,
    HubFactory,
    OrderCycleFactory,
    OrderFactory,
    PickupWindowFactory,
    ProducerFactory,
)

#: all on the meridian 1.68° W, so that distances are exact: 0.1° of latitude = 11.1195 km
LON = Decimal("-1.680000")
KM_PER_DEGREE = 6371.0 * 3.141592653589793 / 180  # 111.19492664...


def line(order: Order, producer, total_cents: int) -> OrderLine:
    made = OrderLine(
        order_id=order.id,
        producer_id=producer.id,
        product_name="Produit",
        variant_name="1 kg",
        quantity=1,
        producer_price_cents=total_cents,
        hub_fee_cents=0,
        unit_price_cents=total_cents,
        vat_rate_bp=550,
        line_total_cents=total_cents,
    )
    db.session.add(made)
    return made


def order_at(window, placed_at: datetime, lines, status=OrderStatus.confirmed) -> Order:
    order = OrderFactory(
        cycle=window.cycle,
        pickup_window=window,
        status=status,
        placed_at=placed_at,
        total_cents=sum(total for _, total in lines),
    )
    db.session.flush()
    for producer, total in lines:
        line(order, producer, total)
    db.session.flush()
    return order


@dataclass
class Territory:
    rennes_point: object
    nantes_point: object
    farm_35: object
    farm_44: object


def make_territory() -> Territory:
    """Two departments: a hub in Rennes (35) with a point at 48.1° N, a hub in Nantes (44)
    with a point at 47.2° N; a farm in 35 at 48.0° N (11.12 km from the Rennes point) and a
    farm in 44 at 47.2° N (100.08 km from Rennes, 0 km from the Nantes point).

    Rennes point, March 2026: order A (farm 35: 10.00), order B (farm 35: 5.00, farm 44: 5.00),
    order C (farm 44: 20.00), plus a cancelled order and an order of 2023 (both left out).
    Nantes point, April 2026: one order (farm 44: 3.00), a small cell.
    """
    hub_35 = HubFactory(
        postcode="35000", city="Rennes", department="35", latitude=Decimal("48.1"), longitude=LON
    )
    hub_44 = HubFactory(
        postcode="44000", city="Nantes", department="44", latitude=Decimal("47.2"), longitude=LON
    )
    farm_35 = ProducerFactory(
        postcode="35310",
        city="Bréal-sous-Montfort",
        department="35",
        latitude=Decimal("48.0"),
        longitude=LON,
    )
    farm_44 = ProducerFactory(
        postcode="44000", city="Nantes", department="44", latitude=Decimal("47.2"), longitude=LON
    )
    ProducerFactory(postcode="35000", city="Rennes", is_active=False)  # inactive: not counted
    rennes = DistributionPointFactory(
        hub=hub_35,
        postcode="35000",
        city="Rennes",
        department="35",
        latitude=Decimal("48.1"),
        longitude=LON,
    )
    nantes = DistributionPointFactory(
        hub=hub_44,
        postcode="44000",
        city="Nantes",
        department="44",
        latitude=Decimal("47.2"),
        longitude=LON,
    )
    w_rennes = PickupWindowFactory(cycle=OrderCycleFactory(hub=hub_35), distribution_point=rennes)
    w_nantes = PickupWindowFactory(cycle=OrderCycleFactory(hub=hub_44), distribution_point=nantes)
    march = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    order_at(w_rennes, march, [(farm_35, 1000)])
    order_at(w_rennes, march, [(farm_35, 500), (farm_44, 500)])
    order_at(w_rennes, march, [(farm_44, 2000)])
    order_at(w_rennes, march, [(farm_44, 9900)], status=OrderStatus.cancelled)
    order_at(w_rennes, datetime(2023, 3, 10, tzinfo=UTC), [(farm_44, 7700)])
    order_at(w_nantes, datetime(2026, 4, 2, 9, 0, tzinfo=UTC), [(farm_44, 300)])
    return Territory(rennes_point=rennes, nantes_point=nantes, farm_35=farm_35, farm_44=farm_44)
