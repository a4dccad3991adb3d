"""Two gunicorn instances on one PostgreSQL database serve the same people.

A session made on instance A works on instance B (signed cookie, nothing kept in a process),
a cart filled through A is the cart B shows, and concurrent checkouts for the last units, split
between both instances, sell exactly those units.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import tempfile
import threading
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bench.loadgen import HOST, gunicorn
from core.db import db
from orders.models import Cart, CartItem, Order, OrderLine
from products.models import Variant
from tests.factories import PASSWORD, UserFactory
from tests.factories_orders import make_shop
from tests.factories_products import api_token

DATABASE = "comptoir_scale_out"
SECRET = "scale-out-secret-key-0123456789-0123456789"  # noqa: S105 - test only
STOCK = 10
BUYERS = 30
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """One person's cookies, sent to whichever instance a request goes to."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header in response.msg.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, response.getheader("Location", ""), text


def _place(port: int, token: str, cycle_id: int, window_id: int, key: str) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    body = json.dumps(
        {
            "pickup_window_id": window_id,
            "payment_method": "at_pickup",
            "terms_accepted": True,
            "idempotency_key": key,
        }
    )
    conn.request(
        "POST",
        f"/api/v1/cycles/{cycle_id}/orders",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.fixture
def shared_database(pg_server):
    """A committed database of its own (the gunicorn workers are other processes)."""
    from flask_migrate import upgrade

    from app import create_app

    pg_server.drop_database(DATABASE)
    pg_server.create_database(DATABASE)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": pg_server.url(DATABASE),
            "SECRET_KEY": SECRET,
            "UPLOAD_FOLDER": tempfile.mkdtemp(prefix="comptoir-scale-out-"),
            "MAIL_SERVER": "",
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        yield app
        db.session.remove()
        db.engine.dispose()
    pg_server.drop_database(DATABASE)


@pytest.mark.slow
def test_two_instances_share_sessions_carts_and_stock(pg_server, shared_database):
    shop = make_shop(offers=2, producers=1, stock=100, slot_capacity=None)
    limited, other = shop.offers
    limited.variant.stock = STOCK
    person = UserFactory()
    buyers = [UserFactory() for _ in range(BUYERS)]
    db.session.flush()
    tokens = [api_token(buyer) for buyer in buyers]  # commits
    for buyer in buyers:
        cart = Cart(user_id=buyer.id, cycle_id=shop.cycle.id)
        cart.items.append(CartItem(offer_id=limited.id, quantity=1))
        db.session.add(cart)
    db.session.commit()
    cycle_id, window_id = shop.cycle.id, shop.window.id
    limited_id, other_id, variant_id = limited.id, other.id, limited.variant_id
    email = person.email

    env = dict(
        os.environ,
        DATABASE_URL=pg_server.url(DATABASE),
        SECRET_KEY=SECRET,
        COMPTOIR_ENV="test",
        MAIL_SERVER="",
        UPLOAD_FOLDER=tempfile.mkdtemp(prefix="comptoir-scale-out-"),
    )
    with gunicorn("app:create_app()", env) as a, gunicorn("app:create_app()", env) as b:
        browser = Browser()
        _, _, page = browser.request(a.port, "GET", "/login")
        status, location, _ = browser.request(
            a.port,
            "POST",
            "/login",
            {"csrf_token": CSRF.search(page)[1], "email": email, "password": PASSWORD},
        )
        assert status in (302, 303), "logged in on A"
        status, _, account = browser.request(b.port, "GET", "/account")
        assert status == 200, "the session made on A is valid on B"
        assert email in account

        _, _, shop_page = browser.request(a.port, "GET", f"/cycles/{cycle_id}/shop")
        status, _, _ = browser.request(
            a.port,
            "POST",
            f"/cycles/{cycle_id}/cart/items",
            {"csrf_token": CSRF.search(shop_page)[1], "offer_id": other_id, "quantity": "3"},
        )
        assert status == 303
        _, _, cart_on_b = browser.request(b.port, "GET", f"/cycles/{cycle_id}/cart")
        assert f'name="qty-{other_id}" value="3"' in cart_on_b, "the cart filled on A, on B"

        statuses: list[int] = []
        barrier = threading.Barrier(BUYERS)
        lock = threading.Lock()

        def buy(i: int) -> None:
            port = (a if i % 2 == 0 else b).port  # the load balancer alternates
            barrier.wait(timeout=30)
            status = _place(port, tokens[i], cycle_id, window_id, f"scale-out-{i:04d}")
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=buy, args=(i,)) for i in range(BUYERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert sorted(statuses) == [201] * STOCK + [409] * (BUYERS - STOCK)
    db.session.expire_all()
    sold = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
            OrderLine.offer_id == limited_id
        )
    )
    assert sold == STOCK  # exactly the last units: none oversold, none lost
    assert db.session.get(Variant, variant_id).stock == 0
    assert db.session.scalar(select(func.count(Order.id))) == STOCK
