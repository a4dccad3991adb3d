"""N+1 guards for the list pages and API lists the domain tests do not already cover.

Each case builds a small world, counts the SQL statements of one request, adds rows to what the
page lists, and counts again: the count must not grow with the rows (counts, never timings).
Already guarded elsewhere: the shopfront (orders), the producer's product list (products), the
cycle offers page (cycles), hubs near a place (hubs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from core.db import db
from core.timeutils import utcnow
from orders.models import Cart, CartItem
from tests.factories import (
    CycleOfferFactory,
    DistributionPointFactory,
    HubFactory,
    MembershipFactory,
    OrderCycleFactory,
    OrderFactory,
    OrderLineFactory,
    PickupSlotFactory,
    PickupWindowFactory,
    ProducerFactory,
    ProducerHubLinkFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories_hubs import hub_with_manager
from tests.factories_orders import make_shop
from tests.factories_products import api_token, producer_with_manager
from tests.querycount import count_queries


@dataclass
class World:
    user: object
    url: str
    grow: Callable[[int], None]
    token: str | None = None
    extra: dict = field(default_factory=dict)


def fresh(obj):
    """The same row in the session (``_count`` empties the session between requests)."""
    return db.session.get(type(obj), obj.id)


def _count(client, world: World) -> int:
    headers = {"Authorization": f"Bearer {world.token}"} if world.token else {}
    client.get(world.url, headers=headers)  # templates compiled, caches warm
    db.session.expunge_all()  # the test shares one session across requests: start cold
    with count_queries() as log:
        response = client.get(world.url, headers=headers)
    assert response.status_code == 200, (world.url, response.status_code)
    return log.count


# --------------------------------------------------------------------------- worlds


def citizen_order_history() -> World:
    citizen = UserFactory()
    citizen_ = citizen

    def grow(n: int) -> None:
        citizen = fresh(citizen_)
        for _ in range(n):
            shop = make_shop(offers=2, producers=2)
            order = OrderFactory(cycle=shop.cycle, customer=citizen, pickup_window=shop.window)
            for offer in shop.offers:
                OrderLineFactory(order=order, offer=offer, quantity=2)

    grow(1)
    return World(citizen, "/orders", grow)


def hub_cycle_list() -> World:
    hub, manager = hub_with_manager()
    hub_ = hub

    def grow(n: int) -> None:
        hub = fresh(hub_)
        for i in range(n):
            cycle = OrderCycleFactory(
                hub=hub, opens_at=utcnow() - timedelta(days=30 + i), published=i % 2 == 0
            )
            window = PickupWindowFactory(cycle=cycle)
            PickupSlotFactory(window=window)
            CycleOfferFactory(cycle=cycle)

    grow(1)
    return World(manager, f"/hubs/{hub.id}/cycles", grow)


def hub_producer_links() -> World:
    hub, manager = hub_with_manager()
    hub_ = hub

    def grow(n: int) -> None:
        hub = fresh(hub_)
        for _ in range(n):
            ProducerHubLinkFactory(hub=hub, producer=ProducerFactory())

    grow(1)
    return World(manager, f"/hubs/{hub.id}/producers", grow)


def producer_hub_links() -> World:
    producer, manager = producer_with_manager()
    producer_ = producer

    def grow(n: int) -> None:
        producer = fresh(producer_)
        for _ in range(n):
            ProducerHubLinkFactory(producer=producer, hub=HubFactory())

    grow(1)
    return World(manager, f"/producers/{producer.id}/hubs", grow)


def admin_enterprise_list() -> World:
    admin = UserFactory(is_admin=True)

    def grow(n: int) -> None:
        for i in range(n):
            enterprise = HubFactory() if i % 2 else ProducerFactory()
            MembershipFactory(enterprise=enterprise)

    grow(1)
    return World(admin, "/admin/enterprises", grow)


def dashboard() -> World:
    user = UserFactory()
    user_ = user

    def grow(n: int) -> None:
        user = fresh(user_)
        for i in range(n):
            enterprise = HubFactory() if i % 2 else ProducerFactory()
            MembershipFactory(user=user, enterprise=enterprise)

    grow(2)
    return World(user, "/dashboard", grow)


def catalogue_choice() -> World:
    user = UserFactory()
    user_ = user

    def grow(n: int) -> None:
        user = fresh(user_)
        for _ in range(n):
            MembershipFactory(user=user, enterprise=ProducerFactory())

    grow(2)  # one producer redirects: two or more list them
    return World(user, "/catalogue", grow)


def team_page() -> World:
    hub, manager = hub_with_manager()
    hub_ = hub

    def grow(n: int) -> None:
        hub = fresh(hub_)
        for _ in range(n):
            MembershipFactory(enterprise=hub)

    grow(1)
    return World(manager, f"/enterprises/{hub.id}/team", grow)


def cart_page() -> World:
    citizen = UserFactory()
    shop = make_shop(offers=30, producers=10)
    cart = Cart(user_id=citizen.id, cycle_id=shop.cycle.id)
    db.session.add(cart)
    db.session.flush()
    added: list[int] = []

    def grow(n: int) -> None:
        for offer in shop.offers[len(added) : len(added) + n]:
            db.session.add(CartItem(cart_id=cart.id, offer_id=offer.id, quantity=1))
            added.append(offer.id)
        db.session.flush()

    grow(2)
    return World(citizen, f"/cycles/{shop.cycle.id}/cart", grow)


def cycle_detail() -> World:
    hub, manager = hub_with_manager()
    cycle = OrderCycleFactory(hub=hub)
    point = DistributionPointFactory(hub=hub)
    cycle_ = cycle
    point_ = point

    def grow(n: int) -> None:
        cycle = fresh(cycle_)
        point = fresh(point_)
        for i in range(n):
            window = PickupWindowFactory(
                cycle=cycle,
                distribution_point=point,
                starts_at=cycle.closes_at + timedelta(days=1, hours=i),
                ends_at=cycle.closes_at + timedelta(days=1, hours=i + 1),
            )
            PickupSlotFactory(window=window)
            CycleOfferFactory(cycle=cycle)

    grow(1)
    return World(manager, f"/hubs/{hub.id}/cycles/{cycle.id}", grow)


# --------------------------------------------------------------------------- API worlds


def api_hub_cycles() -> World:
    world = hub_cycle_list()
    world.url = world.url.replace("/hubs/", "/api/v1/hubs/")
    world.token = api_token(world.user, "read")
    return world


def api_cycle_offers() -> World:
    hub, manager = hub_with_manager()
    cycle = OrderCycleFactory(hub=hub)
    hub_ = hub
    cycle_ = cycle

    def grow(n: int) -> None:
        hub = fresh(hub_)
        cycle = fresh(cycle_)
        for _ in range(n):
            producer = ProducerFactory()
            ProducerHubLinkFactory(producer=producer, hub=hub)
            CycleOfferFactory(
                cycle=cycle, variant=VariantFactory(product=ProductFactory(producer=producer))
            )

    grow(1)
    url = f"/api/v1/hubs/{hub.id}/cycles/{cycle.id}/offers"
    return World(manager, url, grow, token=api_token(manager, "read"))


def api_hub_points() -> World:
    hub, manager = hub_with_manager()
    hub_ = hub

    def grow(n: int) -> None:
        hub = fresh(hub_)
        for _ in range(n):
            DistributionPointFactory(hub=hub)

    grow(1)
    return World(manager, f"/api/v1/hubs/{hub.id}/points", grow, token=api_token(manager, "read"))


def api_enterprise_links() -> World:
    world = hub_producer_links()
    hub_id = world.url.split("/")[2]
    world.url = f"/api/v1/enterprises/{hub_id}/links"
    world.token = api_token(world.user, "read")
    return world


def api_products() -> World:
    producer, manager = producer_with_manager()
    producer_ = producer

    def grow(n: int) -> None:
        producer = fresh(producer_)
        for _ in range(n):
            product = ProductFactory(producer=producer)
            VariantFactory(product=product, name="500 g")
            VariantFactory(product=product, name="1 kg")

    grow(1)
    return World(manager, "/api/v1/products", grow, token=api_token(manager, "read"))


def api_cart() -> World:
    world = cart_page()
    world.url = world.url.replace("/cycles/", "/api/v1/cycles/")
    world.token = api_token(world.user, "read")
    return world


CASES = {
    "orders.history": citizen_order_history,
    "cycles.list": hub_cycle_list,
    "cycles.detail": cycle_detail,
    "hubs.hub_links": hub_producer_links,
    "hubs.producer_links": producer_hub_links,
    "enterprises.admin_list": admin_enterprise_list,
    "enterprises.dashboard": dashboard,
    "enterprises.team": team_page,
    "products.mine": catalogue_choice,
    "orders.cart": cart_page,
    "api.hub_cycles": api_hub_cycles,
    "api.cycle_offers": api_cycle_offers,
    "api.hub_points": api_hub_points,
    "api.enterprise_links": api_enterprise_links,
    "api.products": api_products,
    "api.cart": api_cart,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_list_query_count_does_not_grow_with_rows(client, login_as, case):
    world = CASES[case]()
    if world.token is None:
        login_as(world.user)
    few = _count(client, world)
    world.grow(8)
    many = _count(client, world)
    assert many == few, f"{case}: {few} statements with few rows, {many} with more"
