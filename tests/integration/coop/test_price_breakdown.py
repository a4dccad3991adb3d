"""The price breakdown a buyer sees: shop card, cart, review and receipt; payment fees."""

from __future__ import annotations

import re

from sqlalchemy import select

from orders.models import Order
from tests.factories_orders import make_shop

NBSP = "\xa0"


def _eur(text: str) -> str:
    return text.replace(" ", NBSP) + NBSP + "€"


def _shop():
    # 11.22 EUR producer price + 10 % hub fee (1.12) = 12.34 EUR, VAT 5.5 %
    return make_shop(offers=1, producers=1, price_cents=1122, fee_bp=1000)


def test_shop_card_discloses_producer_hub_and_cooperative_parts(client, db_session):
    shop = _shop()
    page = client.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    disclosure = page[page.index('class="price-breakdown"') :][:600]
    assert _eur("11,22") in disclosure  # producer
    assert _eur("1,12") in disclosure  # hub fee
    assert _eur("0,12") in disclosure  # 1 % of 12.34
    assert "5,5" in disclosure  # VAT rate


def test_cart_shows_each_line_and_what_the_producer_receives(client, db_session):
    shop = _shop()
    client.post(
        f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": shop.offers[0].id, "quantity": 2}
    )
    page = client.get(f"/cycles/{shop.cycle.id}/cart").get_data(as_text=True)
    assert _eur("24,68") in page
    assert _eur("22,44") in page  # producer part of the line
    assert _eur("2,24") in page  # hub fee
    assert _eur("0,25") in page  # 1 % of 24.68 = 0.2468 -> 0.25
    assert _eur("1,29") in page  # VAT contained: 24.68 - 24.68 / 1.055
    share = re.search(r'data-testid="producer-share">([^<]*)<', page).group(1)
    assert _eur("22,44") in share
    fees = re.search(r'data-testid="cart-fees">([^<]*)<', page).group(1)
    assert _eur("0,62") in fees  # 1.5 % of 24.68 (0.37) + 0.25


def _review(client, shop, method):
    client.post(
        f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": shop.offers[0].id, "quantity": 2}
    )
    data = {
        "pickup": f"{shop.window.id}:{shop.slot.id}",
        "payment_method": method,
        "guest_name": "Alix",
        "guest_email": "alix@example.org",
    }
    response = client.post(f"/cycles/{shop.cycle.id}/checkout", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(f"/cycles/{shop.cycle.id}/checkout/review").get_data(as_text=True)


def _block(page, testid):
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</", start)]


def test_review_shows_the_card_fee_out_of_the_hubs_revenue(client, db_session):
    page = _review(client, _shop(), "card")
    summary = _block(page, "order-breakdown")
    assert summary
    assert _eur("0,62") in _block(page, "payment-fee")
    assert _eur("0,25") in page[page.index('data-testid="order-breakdown"') :]


def test_receipt_of_a_pickup_order_shows_no_payment_fee(client, db_session):
    shop = _shop()
    page = _review(client, shop, "at_pickup")
    assert _eur("0,62") not in _block(page, "payment-fee")
    key = re.search(r'name="idempotency_key"[^>]*value="([0-9a-f]+)"', page)
    key = key or re.search(r'value="([0-9a-f]+)"[^>]*name="idempotency_key"', page)
    response = client.post(
        f"/cycles/{shop.cycle.id}/checkout/place",
        data={"idempotency_key": key.group(1), "accept_terms": "y"},
    )
    assert response.status_code == 303
    order = db_session.scalar(select(Order))
    receipt = client.get(f"/orders/{order.id}").get_data(as_text=True)
    money = receipt[receipt.index('data-testid="order-breakdown"') :]
    assert _eur("22,44") in money  # producers
    assert _eur("2,24") in money  # hub
    assert _eur("0,25") in money  # cooperative
    assert "payment-fee" in money
    assert _eur("0,62") not in money


def test_no_card_fee_text_where_card_payment_is_not_offered(client, db_session, monkeypatch, app):
    shop = _shop()
    client.post(
        f"/cycles/{shop.cycle.id}/cart/items", data={"offer_id": shop.offers[0].id, "quantity": 2}
    )
    shop.cycle.hub.allows_online_payment = False
    page = client.get(f"/cycles/{shop.cycle.id}/cart").get_data(as_text=True)
    assert 'data-testid="cart-fees"' not in page
    shop.cycle.hub.allows_online_payment = True
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    page = client.get(f"/cycles/{shop.cycle.id}/cart").get_data(as_text=True)
    assert 'data-testid="cart-fees"' not in page
    transparency = client.get("/cooperative").get_data(as_text=True)
    assert 'data-testid="card-fees"' not in transparency
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_x")
    assert 'data-testid="card-fees"' in client.get("/cooperative").get_data(as_text=True)
