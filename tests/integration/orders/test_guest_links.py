"""A guest's order links (issue 17.6): opaque (no e-mail address in the URL), valid until 30 days
after the pickup, and sent again on request without telling whether an address has orders."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
import time_machine
from itsdangerous import URLSafeSerializer

from core.db import db
from core.timeutils import utcnow
from orders import services as order_services
from orders.models import Order, PaymentMethod
from tests.factories_accounts import outbox
from tests.factories_orders import make_shop

GUEST = "alix.martin@example.org"


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as sess:
        sess["lang"] = "en"


def _guest_order(email: str = GUEST) -> Order:
    shop = make_shop(offers=1, producers=1)
    order = order_services.place_order(
        cycle=shop.cycle,
        customer=None,
        items=[(shop.offers[0].id, 1)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id,
        payment_method=PaymentMethod.at_pickup,
        idempotency_key=None,
        terms_accepted=True,
        now=utcnow(),
        guest_email=email,
        guest_name="Alix",
    )
    db.session.commit()
    return order


def _link(order: Order) -> str:
    [mail] = outbox(to=order.customer_email, kind="order_confirmation")
    return re.search(r"http://comptoir.test(/orders/\d+\?t=\S+)", mail.body_text).group(1)


def _fresh_browser(client):
    browser = client.application.test_client()
    with browser.session_transaction() as sess:
        sess["lang"] = "en"
    return browser


def test_the_link_carries_no_email_address(client):
    order = _guest_order()
    token = _link(order).split("?t=")[1]
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert "@" not in decoded
    assert "alix" not in decoded.lower()
    assert "alix" not in token.lower()


def test_a_link_works_until_thirty_days_after_the_pickup(client):
    order = _guest_order()
    link = _link(order)
    end = order.pickup_window.ends_at
    with time_machine.travel(end + timedelta(days=29)):
        assert _fresh_browser(client).get(link).status_code == 200
    with time_machine.travel(end + timedelta(days=30, minutes=1)):
        expired = _fresh_browser(client).get(link, follow_redirects=True)
    assert expired.request.path == "/orders/links"
    assert "This order link does not work (any more)" in expired.get_data(as_text=True)


def test_a_tampered_link_or_a_missing_order_is_answered_the_same(client):
    order = _guest_order()
    link = _link(order)
    tampered = _fresh_browser(client).get(link[:-2] + "xx")
    missing = _fresh_browser(client).get(link.replace(f"/orders/{order.id}?", "/orders/999999?"))
    assert tampered.status_code == missing.status_code == 302
    assert tampered.headers["Location"] == missing.headers["Location"] == "/orders/links"


def test_links_sent_before_still_work_until_the_same_expiry(client, app):
    """Links already in mailboxes (``{"o": id, "e": address}``) keep working until 30 days
    after the pickup: refusing them would cut guests off their upcoming orders."""
    order = _guest_order()
    old = URLSafeSerializer(app.config["SECRET_KEY"], salt="order-access").dumps(
        {"o": order.id, "e": order.customer_email}
    )
    end = order.pickup_window.ends_at
    with time_machine.travel(end + timedelta(days=1)):
        assert _fresh_browser(client).get(f"/orders/{order.id}?t={old}").status_code == 200
    with time_machine.travel(end + timedelta(days=31)):
        assert _fresh_browser(client).get(f"/orders/{order.id}?t={old}").status_code == 302
    other = URLSafeSerializer(app.config["SECRET_KEY"], salt="order-access").dumps(
        {"o": order.id, "e": "someone.else@example.org"}
    )
    assert _fresh_browser(client).get(f"/orders/{order.id}?t={other}").status_code == 302


def test_a_guest_gets_their_current_links_again(client):
    order = _guest_order()
    browser = _fresh_browser(client)
    asked = browser.post("/orders/links", data={"email": "Alix.Martin@example.org"})
    assert asked.status_code == 200
    [mail] = outbox(to=GUEST, kind="guest_order_links")
    assert order.number in mail.body_text
    link = re.search(r"http://comptoir.test(/orders/\d+\?t=\S+)", mail.body_text).group(1)
    assert _fresh_browser(client).get(link).status_code == 200


def test_the_page_does_not_tell_whether_an_address_has_orders(client):
    _guest_order()
    known = _fresh_browser(client).post("/orders/links", data={"email": GUEST})
    unknown = _fresh_browser(client).post("/orders/links", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200

    def page(resp):
        return re.sub(r'"[\w-]+\.[\w-]+\.[\w-]+"', "", resp.get_data(as_text=True))

    assert page(known) == page(unknown).replace("nobody@example.org", GUEST)
    assert outbox(to="nobody@example.org") == []


def test_expired_orders_are_not_sent_again(client):
    order = _guest_order()
    with time_machine.travel(order.pickup_window.ends_at + timedelta(days=31)):
        _fresh_browser(client).post("/orders/links", data={"email": GUEST})
    assert outbox(to=GUEST, kind="guest_order_links") == []


def test_asking_again_and_again_is_rate_limited(client):
    for n in range(3):
        response = _fresh_browser(client).post(
            "/orders/links",
            data={"email": GUEST},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n}"},
        )
        assert response.status_code == 200
    limited = _fresh_browser(client).post("/orders/links", data={"email": GUEST})
    assert limited.status_code == 429
    assert "Too many requests in a short time." in limited.get_data(as_text=True)
