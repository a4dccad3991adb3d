"""Fixtures of the DFC integration tests: a producer with a catalogue, a hub with a cycle and
orders, their managers. Helpers (tokens, document checks) are in dfc_support.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from dfc_support import World

from core.db import db
from enterprises.models import MembershipRole
from orders.models import OrderStatus, PaymentStatus
from products.models import ProductLabel, Unit
from tests.factories import (
    CycleOfferFactory,
    HubFactory,
    MembershipFactory,
    OrderCycleFactory,
    OrderFactory,
    OrderLineFactory,
    PickupWindowFactory,
    ProducerFactory,
    ProducerHubLinkFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)


@pytest.fixture
def world(db_session) -> World:
    producer = ProducerFactory(name="Ferme des Tilleuls", vat_number="FR123", phone="0601020304")
    other = ProducerFactory(name="Rucher du Coin")
    hub = HubFactory(name="Tiers-lieu du Bourg")
    producer_manager = UserFactory(full_name="Anne Martin")
    hub_manager = UserFactory(full_name="Hugo Bernard")
    stranger = UserFactory()
    admin = UserFactory(is_admin=True)
    MembershipFactory(user=producer_manager, enterprise=producer, role=MembershipRole.owner)
    MembershipFactory(user=hub_manager, enterprise=hub, role=MembershipRole.owner)
    MembershipFactory(user=UserFactory(), enterprise=other, role=MembershipRole.owner)
    ProducerHubLinkFactory(producer=producer, hub=hub)
    ProducerHubLinkFactory(producer=other, hub=hub)

    tomatoes = ProductFactory(
        producer=producer, name="Tomates anciennes", product_type="dfc-pt:tomato", vat_rate_bp=550
    )
    db.session.add(ProductLabel(product=tomatoes, code="dfc-f:Organic-AB"))
    juice = ProductFactory(
        producer=producer, name="Jus de pomme", product_type="dfc-pt:fruit-juice", vat_rate_bp=2000
    )
    v1 = VariantFactory(
        product=tomatoes,
        name="500 g",
        sku="TOM-500",
        unit=Unit.g,
        unit_value=Decimal(500),
        price_cents=350,
        stock=12,
    )
    v2 = VariantFactory(
        product=tomatoes,
        name="1 kg",
        sku="TOM-1K",
        unit=Unit.kg,
        unit_value=Decimal(1),
        price_cents=651,
        stock=0,
    )
    v3 = VariantFactory(
        product=juice,
        name="1 l",
        sku="JUS-1L",
        unit=Unit.l,
        unit_value=Decimal(1),
        price_cents=351,
        on_demand=True,
        stock=0,
    )
    honey = VariantFactory(
        product=ProductFactory(producer=other, name="Miel", product_type="dfc-pt:honey"),
        sku="MIEL",
        unit=Unit.g,
        unit_value=Decimal(500),
        price_cents=800,
    )

    cycle = OrderCycleFactory(hub=hub, name="Semaine 12")
    window = PickupWindowFactory(cycle=cycle)
    offers = {v.id: CycleOfferFactory(cycle=cycle, variant=v) for v in (v1, v2, v3, honey)}
    customer = UserFactory(full_name="Léa Durand", email="lea@example.org", phone="0611")
    orders = []
    o1 = OrderFactory(cycle=cycle, customer=customer, pickup_window=window, number="C-0001")
    OrderLineFactory(order=o1, offer=offers[v1.id], quantity=2)
    OrderLineFactory(order=o1, offer=offers[honey.id], quantity=1)
    orders.append(o1)
    o2 = OrderFactory(
        cycle=cycle,
        pickup_window=window,
        number="C-0002",
        status=OrderStatus.collected,
        payment_status=PaymentStatus.paid,
        customer_phone="0622",
    )
    OrderLineFactory(order=o2, offer=offers[v3.id], quantity=3)
    orders.append(o2)
    o3 = OrderFactory(cycle=cycle, pickup_window=window, number="C-0003")
    OrderLineFactory(order=o3, offer=offers[honey.id], quantity=2)  # other producer only
    orders.append(o3)
    db.session.commit()  # a SAVEPOINT: error responses roll back to here, not further
    return World(
        producer=producer,
        other_producer=other,
        hub=hub,
        producer_manager=producer_manager,
        hub_manager=hub_manager,
        stranger=stranger,
        admin=admin,
        products=[tomatoes, juice],
        variants=[v1, v2, v3],
        cycle=cycle,
        orders=orders,
        customer=customer,
    )
