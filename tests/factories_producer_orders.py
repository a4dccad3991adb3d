"""Producer-area and notification test helpers: a hub's cycle selling two farms' products."""

from __future__ import annotations

from dataclasses import dataclass

from core.db import db
from orders.models import Order, OrderStatus
from tests.factories import (
    CycleOfferFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories_operations import place
from tests.factories_orders import Shop, make_shop


@dataclass
class FarmShop:
    """``shop`` sells ``farm``'s tomatoes (offers[0]) and ``other``'s cheese (offers[1]).

    Prices: 4,50 € + 10 % hub fee = 4,95 € per item (fee 0,45 €).
    """

    shop: Shop
    farm: object
    other: object
    farm_manager: object
    other_manager: object
    hub_manager: object


def farm_shop(**kwargs) -> FarmShop:
    shop = make_shop(offers=2, producers=2, **kwargs)
    farm = shop.offers[0].variant.product.producer
    other = shop.offers[1].variant.product.producer
    farm.name, other.name = "Ferme des Quatre Vents", "Fromagerie du Moulin"
    shop.offers[0].variant.product.name = "Tomates"
    shop.offers[1].variant.product.name = "Tomme"
    farm_manager = UserFactory(full_name="Paul Fermier", locale="fr")
    other_manager = UserFactory(full_name="Rose Fromagère")
    hub_manager = UserFactory(full_name="Yann Morvan")
    MembershipFactory(user=farm_manager, enterprise=farm)
    MembershipFactory(user=other_manager, enterprise=other)
    MembershipFactory(user=hub_manager, enterprise=shop.hub)
    db.session.flush()
    return FarmShop(shop, farm, other, farm_manager, other_manager, hub_manager)


def customer(name: str, email: str, phone: str = "06 11 22 33 44", locale: str = "fr"):
    return UserFactory(full_name=name, email=email, phone=phone, locale=locale)


def order_for(shop: Shop, who, items: list[tuple[int, int]], *, phone: str = "") -> Order:
    order = place(shop, items, customer=who)
    if phone:
        order.customer_phone = phone
    db.session.flush()
    return order


def cancel(order: Order) -> None:
    """Mark an order cancelled (the lines stay, as after a real cancellation)."""
    order.status = OrderStatus.cancelled
    db.session.flush()


def sell_in(shop: Shop, producer, *, price_cents: int = 450, fee_bp: int = 1000):
    """An offer of a new product of ``producer`` in ``shop``'s cycle."""
    product = ProductFactory(producer=producer, name="Courges")
    variant = VariantFactory(product=product, price_cents=price_cents, stock=100)
    offer = CycleOfferFactory(cycle=shop.cycle, variant=variant, hub_fee_value=fee_bp)
    shop.offers.append(offer)
    return offer
