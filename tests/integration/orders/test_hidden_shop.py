"""A deactivated hub's shop takes no order: not in the browser, not through the API, not by a
service call that skips the pages (the rule "may one order in this cycle" is written once)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import db
from core.timeutils import utcnow
from cycles.errors import ShopClosed
from orders import services
from orders.models import Cart, Order, PaymentMethod
from tests.factories import UserFactory
from tests.factories_orders import make_shop
from tests.integration.orders.test_order_api import _token


def _orders() -> int:
    return db.session.scalar(select(func.count()).select_from(Order)) or 0


def _hide(shop) -> None:
    shop.hub.is_active = False
    db.session.flush()


def _checkout_body(shop, key: str = "hidden-0001") -> dict:
    return {
        "pickup_window_id": shop.window.id,
        "pickup_slot_id": shop.slot.id,
        "payment_method": "at_pickup",
        "terms_accepted": True,
        "idempotency_key": key,
    }


def test_api_cart_of_a_deactivated_hub_is_not_found(client, db_session):
    shop = make_shop(offers=1)
    headers = _token(UserFactory())
    _hide(shop)
    base = f"/api/v1/cycles/{shop.cycle.id}"
    response = client.put(
        f"{base}/cart/items", json={"offer_id": shop.offers[0].id, "quantity": 1}, headers=headers
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.get(f"{base}/cart", headers=headers).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Cart)) == 0


def test_api_cannot_check_out_a_cart_filled_before_the_hub_was_deactivated(client, db_session):
    shop = make_shop(offers=1)
    headers = _token(UserFactory())
    base = f"/api/v1/cycles/{shop.cycle.id}"
    filled = client.put(
        f"{base}/cart/items", json={"offer_id": shop.offers[0].id, "quantity": 2}, headers=headers
    )
    assert filled.status_code == 200
    _hide(shop)
    response = client.post(f"{base}/orders", json=_checkout_body(shop), headers=headers)
    assert response.status_code == 404
    assert _orders() == 0


def test_shop_cart_and_checkout_pages_of_a_deactivated_hub_are_not_found(client, db_session):
    shop = make_shop(offers=1)
    offer = shop.offers[0]
    base = f"/cycles/{shop.cycle.id}"
    added = client.post(f"{base}/cart/items", data={"offer_id": offer.id, "quantity": 1})
    assert added.status_code == 303
    _hide(shop)
    assert client.get(f"{base}/shop").status_code == 404
    assert client.post(f"{base}/cart/items", data={"offer_id": offer.id}).status_code == 404
    assert client.get(f"{base}/cart").status_code == 404
    assert client.get(f"{base}/checkout").status_code == 404
    assert client.post(f"{base}/checkout/place", data={"accept_terms": "y"}).status_code == 404
    assert _orders() == 0


def test_the_services_refuse_a_deactivated_hubs_cycle(db_session):
    """The loaders are not the only guard: a cart change and a checkout raise ShopClosed."""
    shop = make_shop(offers=1)
    citizen = UserFactory()
    offer = shop.offers[0]
    services.set_cart_quantity(
        cycle=shop.cycle, user=citizen, offer_id=offer.id, quantity=1, now=utcnow()
    )
    _hide(shop)
    with pytest.raises(ShopClosed) as refused:
        services.set_cart_quantity(
            cycle=shop.cycle, user=citizen, offer_id=offer.id, quantity=2, now=utcnow()
        )
    assert refused.value.code == "shop_closed"
    db.session.rollback()
    _hide(shop)
    with pytest.raises(ShopClosed):
        services.place_order(
            cycle=shop.cycle,
            customer=citizen,
            items=[(offer.id, 1)],
            pickup_window_id=shop.window.id,
            pickup_slot_id=shop.slot.id,
            payment_method=PaymentMethod.at_pickup,
            idempotency_key=None,
            terms_accepted=True,
            now=utcnow(),
        )
    assert _orders() == 0
