"""The producer area: a producer's lines across hubs and cycles, totals, CSV, access."""

from __future__ import annotations

import pytest

from core.db import db
from enterprises.models import Enterprise
from tests.factories import UserFactory
from tests.factories_orders import make_shop
from tests.factories_producer_orders import cancel, customer, farm_shop, order_for, sell_in
from tests.querycount import count_queries


@pytest.fixture
def world(db_session):
    fs = farm_shop()
    alice = customer("Alice Martin", "alice.secret@example.org", phone="06 12 34 56 78")
    bob = customer("Bob Durand", "bob.secret@example.org")
    carol = customer("Carol Petit", "carol@example.org")
    tomato, cheese = fs.shop.offers[0], fs.shop.offers[1]
    order_for(fs.shop, alice, [(tomato.id, 2), (cheese.id, 1)], phone="06 12 34 56 78")
    order_for(fs.shop, bob, [(tomato.id, 3)])
    cancel(order_for(fs.shop, carol, [(tomato.id, 5)]))
    return fs


def _url(fs, endpoint="index", **kw):
    from flask import url_for

    return url_for(f"producer_orders.{endpoint}", producer_id=fs.farm.id, **kw)


def test_producer_sees_its_lines_with_hand_computed_totals(app, world, login_as):
    client = login_as(world.farm_manager)
    with app.test_request_context():
        url = _url(world)
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert world.shop.cycle.name in html
    assert world.shop.hub.name in html
    assert "Alice Martin" in html
    assert "Bob Durand" in html
    # Carol's order was cancelled; the cheese is the other producer's
    assert "Carol Petit" not in html
    assert "Tomme" not in html
    # 5 tomatoes × 4,95 € = 24,75 €; hub fee 5 × 0,45 € = 2,25 €; owed 22,50 €
    assert 'data-total="sales">24,75' in html
    assert 'data-total="hub-fee">2,25' in html
    assert "22,50" in html
    # the breakdown: VAT 5,5 % contained per line, 9,90 -> 0,52 and 14,85 -> 0,77; the 1 %
    # commission (paid by the hub) per line, 9,90 -> 0,10 and 14,85 -> 0,15
    assert 'data-total="vat">1,29' in html
    assert 'data-total="commission">0,25' in html


def test_no_email_nor_phone_on_the_page_nor_in_the_csv(app, world, login_as):
    client = login_as(world.farm_manager)
    with app.test_request_context():
        urls = [
            _url(world),
            _url(world, "cycle", cycle_id=world.shop.cycle.id),
            _url(world, "export_csv"),
            _url(world, "export_csv", cycle_id=world.shop.cycle.id),
        ]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert "Alice Martin" in body, url
        assert "alice.secret@example.org" not in body, url
        assert "bob.secret@example.org" not in body, url
        assert "06 12 34 56 78" not in body, url
        assert "@" not in body.replace("@media", ""), url


def test_csv_lines_and_amounts(app, world, login_as):
    client = login_as(world.farm_manager)
    with app.test_request_context():
        url = _url(world, "export_csv")
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = [r.split(";") for r in text.lstrip("\ufeff").strip().split("\r\n")]
    assert len(rows[0]) == 15  # the header
    body = rows[1:]
    assert len(body) == 2  # Alice's and Bob's tomatoes; no cheese, no cancelled order
    by_name = {r[5]: r for r in body}
    assert by_name["Alice Martin"][9] == "2"
    assert by_name["Alice Martin"][12:] == ["9,90", "0,90", "9,00"]
    assert by_name["Bob Durand"][12:] == ["14,85", "1,35", "13,50"]


def test_cycle_order_list_per_customer(app, world, login_as):
    client = login_as(world.farm_manager)
    with app.test_request_context():
        url = _url(world, "cycle", cycle_id=world.shop.cycle.id)
    html = client.get(url).get_data(as_text=True)
    assert "Alice Martin" in html
    assert "Bob Durand" in html
    assert "Tomates" in html
    assert "Tomme" not in html
    assert "data-print" in html  # ui.js prints (no inline handler: CSP)


def test_other_producers_manager_and_hub_manager_are_refused(app, world, login_as, client):
    with app.test_request_context():
        urls = [
            _url(world),
            _url(world, "cycle", cycle_id=world.shop.cycle.id),
            _url(world, "export_csv"),
        ]
    for user in (world.other_manager, world.hub_manager, UserFactory()):
        login_as(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.full_name, url)


def test_other_producer_sees_only_its_own_lines(app, world, login_as):
    client = login_as(world.other_manager)
    with app.test_request_context():
        from flask import url_for

        url = url_for("producer_orders.index", producer_id=world.other.id)
    html = client.get(url).get_data(as_text=True)
    assert "Tomme" in html
    assert "Tomates" not in html
    assert "Alice Martin" in html
    assert "Bob Durand" not in html


def test_cycle_of_another_hub_is_not_found(app, world, login_as):
    elsewhere = make_shop(offers=1, producers=1)
    client = login_as(world.farm_manager)
    with app.test_request_context():
        url = _url(world, "cycle", cycle_id=elsewhere.cycle.id)
    assert client.get(url).status_code == 404


def test_filters_by_hub_state_and_period(app, world, login_as):
    second = make_shop(offers=1, producers=1)
    offer = sell_in(second, world.farm)
    order_for(second, customer("Dan Leroy", "dan@example.org"), [(offer.id, 1)])
    client = login_as(world.farm_manager)
    with app.test_request_context():
        by_hub = _url(world, hub=second.hub.id)
        closed = _url(world, state="closed")
        opened = _url(world, state="open")
        past = _url(world, until="2020-01-01")
        bad = _url(world, state="nonsense")
    html = client.get(by_hub).get_data(as_text=True)
    assert "Dan Leroy" in html
    assert "Alice Martin" not in html
    assert "Alice Martin" not in client.get(closed).get_data(as_text=True)
    html = client.get(opened).get_data(as_text=True)
    assert "Alice Martin" in html
    assert "Dan Leroy" in html
    assert "Alice Martin" not in client.get(past).get_data(as_text=True)
    assert client.get(bad).status_code == 400


def test_admin_sees_the_producer_area(app, world, login_as):
    client = login_as(UserFactory(is_admin=True))
    with app.test_request_context():
        url = _url(world)
    assert "Alice Martin" in client.get(url).get_data(as_text=True)


def test_query_count_does_not_grow_with_cycles_and_lines(app, world, login_as):
    client = login_as(world.farm_manager)
    with app.test_request_context():
        url = _url(world)

    def count() -> int:
        client.get(url)
        db.session.expunge_all()
        with count_queries() as log:
            html = client.get(url).get_data(as_text=True)
        assert html.count('<section class="card"') == 1 + 3 * (len(logs) > 0)
        logs.append(str(log))
        return log.count

    logs: list[str] = []

    farm_id = world.farm.id
    before = count()
    farm = db.session.get(Enterprise, farm_id)
    for i in range(3):
        shop = make_shop(offers=1, producers=1)
        offer = sell_in(shop, farm)
        for j in range(3):
            order_for(shop, customer(f"Client {i}-{j}", f"c{i}-{j}@example.org"), [(offer.id, 2)])
    db.session.flush()
    after = count()
    assert after == before, f"{before} → {after}"
    assert after <= 12, logs[-1]  # 12th: the header's cart (orders.cart.open_carts)


def test_sold_by_weight_line_owed_uses_the_packed_weight(app, world, login_as):
    from tests.factories import OrderFactory, OrderLineFactory

    order = OrderFactory(
        cycle=world.shop.cycle, customer_name="Eve Weight", pickup_window=world.shop.window
    )
    # 20,00 €/kg + 10 % fee (2,00 €/kg); packed 1,234 kg: total 27,15 € (27,148), fee 2,47 €
    OrderLineFactory(
        order=order,
        offer=world.shop.offers[0],
        product_name="Veau",
        variant_name="Rôti",
        quantity=1,
        producer_price_cents=2000,
        hub_fee_cents=200,
        unit_price_cents=2200,
        sold_by_weight=True,
        estimated_weight_g=1000,
        final_weight_g=1234,
        line_total_cents=2715,
    )
    client = login_as(world.farm_manager)
    with app.test_request_context():
        url = _url(world, "export_csv", cycle_id=world.shop.cycle.id)
    rows = client.get(url).get_data(as_text=True).lstrip("\ufeff").strip().split("\r\n")
    (veal,) = [r.split(";") for r in rows if "Veau" in r]
    assert veal[10] == "1,234"
    assert veal[12:] == ["27,15", "2,47", "24,68"]


def test_csv_of_a_cycle_of_another_hub_is_not_found(app, world, login_as):
    elsewhere = make_shop(offers=1, producers=1)
    client = login_as(world.farm_manager)
    with app.test_request_context():
        url = _url(world, "export_csv", cycle_id=elsewhere.cycle.id)
    assert client.get(url).status_code == 404
