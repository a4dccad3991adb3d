"""Shopfront, cart and checkout through the Flask client (HTML)."""

from __future__ import annotations

import re

from flask import g
from sqlalchemy import func, select

from core.db import db
from notifications.models import OutboundEmail
from orders.models import Order, OrderStatus
from tests.factories import CycleOfferFactory, UserFactory, VariantFactory
from tests.factories_orders import make_shop
from tests.i18n import in_language
from tests.querycount import count_queries


def _shop_queries(client, shop) -> int:
    client.get(f"/cycles/{shop.cycle.id}/shop")  # templates compiled, caches warm
    db.session.expunge_all()  # the test shares one session across requests: start cold
    with count_queries() as log:
        response = client.get(f"/cycles/{shop.cycle.id}/shop?page=2")
    assert response.status_code == 200
    return log.count


def test_shopfront_query_count_does_not_grow_with_the_catalogue(client, login_as):
    small = make_shop(offers=50, producers=5)
    big = make_shop(offers=2000, producers=40)
    login_as(UserFactory())
    small_count = _shop_queries(client, small)
    big_count = _shop_queries(client, big)
    assert small_count == big_count
    # session, user, cycle, rows, facets, the page's labels and photos...: a fixed budget
    assert big_count <= 11


def test_shopfront_lists_filters_and_searches(client):
    shop = make_shop(offers=30, producers=3, stock=3)
    first = shop.offers[0]
    in_language(client, "fr")
    page = client.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    assert "30 produits" in page
    assert "Plus que 3" in page
    page2 = client.get(f"/cycles/{shop.cycle.id}/shop?page=2").get_data(as_text=True)
    assert 'rel="prev"' in page2
    found = client.get(f"/cycles/{shop.cycle.id}/shop?q={first.variant.product.name}").get_data(
        as_text=True
    )
    assert found.count('class="card shop-item"') == 1
    by_producer = client.get(f"/cycles/{shop.cycle.id}/shop?producer={first.producer_id}").get_data(
        as_text=True
    )
    assert by_producer.count('class="card shop-item"') == 10


def test_unpublished_cycle_shop_is_not_found(client):
    shop = make_shop(offers=1, cycle_kwargs={"published": False})
    assert client.get(f"/cycles/{shop.cycle.id}/shop").status_code == 404


def test_adding_more_than_available_caps_with_a_message(client):
    shop = make_shop(offers=1, stock=2)
    offer = shop.offers[0]
    response = client.post(
        f"/cycles/{shop.cycle.id}/cart/items",
        data={"offer_id": offer.id, "quantity": 5},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    # the message is on the item's card, where the page comes back to (#add-<offer>)
    assert response.history[0].headers["Location"].endswith(f"#add-{offer.id}")
    card = page.split(f'id="add-{offer.id}"', 1)[1].split("</li>", 1)[0]
    assert 'class="add-note add-note-warning"' in card
    assert "Il ne reste que 2 ×" in card
    cart = client.get(f"/cycles/{shop.cycle.id}/cart").get_data(as_text=True)
    assert 'value="2"' in cart


def _add(client, shop, offer_id, quantity=1):
    return client.post(
        f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": offer_id, "quantity": quantity}
    )


def _place(client, shop, key):
    return client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key, "accept_terms": "y"},
    )


def _checkout(client, shop, extra=None):
    data = {"pickup": f"{shop.window.id}:{shop.slot.id}", "payment_method": "at_pickup"}
    data.update(extra or {})
    response = client.post(f"/cycles/{shop.cycle.id}/checkout", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    review = client.get(f"/cycles/{shop.cycle.id}/checkout/review").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]+)"', review)
    if key is None:
        key = re.search(
            r'id="idempotency_key" name="idempotency_key" type="hidden" value="([0-9a-f]+)"', review
        )
    assert key, review
    return review, key.group(1)


def test_guest_orders_with_email_only_and_pays_at_pickup(client, db_session):
    shop = make_shop(offers=2, stock=5)
    a, b = shop.offers
    in_language(client, "fr")
    for offer in (a, b):
        client.post(
            f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": offer.id, "quantity": 1}
        )
    review, key = _checkout(
        client,
        shop,
        {"guest_name": "Alix", "guest_email": "alix@example.org", "guest_phone": "0600000000"},
    )
    assert "La commission de soutien de 1 % qui finance Comptoir est comprise" in review
    response = client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key, "accept_terms": "y"},
    )
    assert response.status_code == 303
    order = db_session.scalar(select(Order))
    assert response.headers["Location"].endswith(f"/orders/{order.id}/confirmation")
    assert order.status is OrderStatus.confirmed
    assert order.customer_email == "alix@example.org"
    # the same submission again: same order
    again = client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key, "accept_terms": "y"},
    )
    assert again.status_code in (302, 303)
    assert db_session.scalar(select(func.count(Order.id))) == 1
    page = client.get(f"/orders/{order.id}/confirmation").get_data(as_text=True)
    assert order.number in page
    mail = db_session.scalar(
        select(OutboundEmail).where(OutboundEmail.kind == "order_confirmation")
    )
    assert mail.to_email == "alix@example.org"
    link = re.search(r"http://comptoir.test(/orders/\d+\?t=\S+)", mail.body_text).group(1)
    other = client.application.test_client()
    assert other.get(f"/orders/{order.id}").status_code == 404
    assert other.get(link).status_code == 200


def test_checkout_refuses_a_full_slot(client, db_session):
    shop = make_shop(offers=1, slot_capacity=1)
    shop.slot.booked = 1
    db.session.flush()
    client.post(f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": shop.offers[0].id})
    response = client.post(
        f"/cycles/{shop.cycle.id}/checkout",
        data={
            "pickup": f"{shop.window.id}:{shop.slot.id}",
            "payment_method": "at_pickup",
            "guest_name": "A",
            "guest_email": "a@example.org",
        },
    )
    assert response.status_code == 422
    assert "disabled" in response.get_data(as_text=True)


def test_shortage_at_placing_is_a_friendly_message_not_a_500(client, login_as, db_session):
    shop = make_shop(offers=1, stock=3)
    citizen = UserFactory()
    login_as(citizen)
    client.post(
        f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": shop.offers[0].id, "quantity": 3}
    )
    _review, key = _checkout(client, shop)
    shop.offers[0].variant.stock = 1
    db.session.flush()
    response = client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key, "accept_terms": "y"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert shop.offers[0].variant.product.name in page
    assert "flash-error" in page


def test_history_and_other_people_orders(client, login_as, db_session):
    shop = make_shop(offers=1)
    citizen, stranger = UserFactory(), UserFactory()
    login_as(citizen)
    client.post(f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": shop.offers[0].id})
    _review, key = _checkout(client, shop)
    client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key, "accept_terms": "y"},
    )
    order = db_session.scalar(select(Order))
    assert order.number in client.get("/orders").get_data(as_text=True)
    login_as(stranger)
    g.pop("_login_user", None)  # the test app context (and g) outlives requests
    assert client.get(f"/orders/{order.id}").status_code == 404
    assert client.post(f"/orders/{order.id}/cancel").status_code == 404


def test_cancel_before_close_returns_stock(client, login_as, db_session):
    shop = make_shop(offers=1, stock=4)
    login_as(UserFactory())
    client.post(
        f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": shop.offers[0].id, "quantity": 2}
    )
    _review, key = _checkout(client, shop)
    client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key, "accept_terms": "y"},
    )
    order = db_session.scalar(select(Order))
    assert shop.offers[0].variant.stock == 2
    response = client.post(f"/orders/{order.id}/cancel")
    assert response.status_code == 303
    db.session.refresh(order)
    assert order.status is OrderStatus.cancelled
    db.session.refresh(shop.offers[0].variant)
    assert shop.offers[0].variant.stock == 4


def test_cart_survives_login(client, login_as, db_session):
    shop = make_shop(offers=1)
    other = CycleOfferFactory(cycle=shop.cycle, variant=VariantFactory())
    client.post(f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": other.id, "quantity": 2})
    citizen = UserFactory()
    from flask_login import login_user

    with client.application.test_request_context():
        from flask import session

        with client.session_transaction() as sess:
            carts = dict(sess["carts"])
        session["carts"] = carts
        login_user(citizen)
    from orders.services import get_cart_items

    assert get_cart_items(citizen, shop.cycle) == {other.id: 2}


def test_every_shop_price_shows_its_unit_price_with_the_hub_fee(client):
    from decimal import Decimal

    from products.models import Unit

    shop = make_shop(offers=2, producers=1, price_cents=400, fee_bp=1000)
    box, bag = (offer.variant for offer in shop.offers)
    box.name, box.unit, box.unit_value = "Boîte de 4", Unit.piece, Decimal("4")
    bag.name, bag.unit, bag.unit_value = "Sachet 500 g", Unit.g, Decimal("500")
    db.session.commit()
    html = in_language(client, "fr").get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    text = re.sub(r"\s+", " ", html).replace("\u00a0", " ").replace("\u202f", " ")
    # 4.00 + 10 % hub fee = 4.40: 1.10 per piece for the box of 4, 8.80 per kg for 500 g
    assert "4,40 €" in text
    assert "(1,10 €/pièce)" in text
    assert "(8,80 €/kg)" in text
