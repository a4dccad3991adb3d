"""The pickup-day checklist: who comes, in what order, what they take and pay; ticks.

Prices: make_shop sells at 4,50 € + a 10 % hub fee = 4,95 € an item.
"""

from __future__ import annotations

from datetime import timedelta

from core.db import db
from core.timeutils import utcnow
from operations.backoffice.services import mark_paid, set_collected
from orders.models import OrderStatus, PaymentMethod
from orders.services import cancel_order
from tests.factories import MembershipFactory, UserFactory
from tests.factories_operations import place, shop_with_manager, weighed_offer
from tests.querycount import count_queries


def _base(shop) -> str:
    return f"/hubs/{shop.hub.id}/cycles/{shop.cycle.id}/pickup"


def _names(html: str, *names: str) -> list[int]:
    return [html.index(n) for n in names]


def test_checklist_lists_customers_alphabetically_with_what_to_hand_over(db_session, login_as):
    shop, manager = shop_with_manager(offers=2)
    first, second = shop.offers
    zoe = place(shop, [(first.id, 2)], customer=UserFactory(full_name="Zoé Martin"))
    elodie = place(shop, [(second.id, 1)], customer=UserFactory(full_name="Élodie Bernard"))
    place(shop, [(first.id, 1)], customer=UserFactory(full_name="eric Abadie"))
    gone = place(shop, [(first.id, 1)], customer=UserFactory(full_name="Annulé Client"))
    cancel_order(gone, actor=None, reason="test")
    mark_paid(elodie, method="cash", actor=manager)

    page = login_as(manager).get(f"{_base(shop)}/{shop.window.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    a, b, c = _names(html, "Élodie Bernard", "eric Abadie", "Zoé Martin")
    assert a < b < c  # accents and case ignored
    assert "Annulé Client" not in html  # cancelled orders are not handed over
    assert zoe.number in html
    assert f"2 × {first.variant.product.name}" in html
    assert "À payer : 9,90" in html  # Zoé pays on site
    zoe_part = html[c:]
    assert "Payé" in html[a:b]
    assert "À payer" not in html[a:b]
    assert "À payer : 9,90" in zoe_part


def test_index_counts_per_window(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    done = place(shop, [(shop.offers[0].id, 1)])
    place(shop, [(shop.offers[0].id, 1)])
    set_collected(done, True, manager)
    html = login_as(manager).get(_base(shop)).get_data(as_text=True)
    assert "1 à retirer" in html
    assert "1 retirée(s)" in html
    assert f"{_base(shop)}/{shop.window.id}" in html
    assert f"{_base(shop)}/{shop.window.id}/print" in html


def test_print_version_has_a_signature_column(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)], customer=UserFactory(full_name="Paul Roux"))
    html = login_as(manager).get(f"{_base(shop)}/{shop.window.id}/print").get_data(as_text=True)
    assert "Signature" in html
    assert "Paul Roux" in html
    assert order.number in html


def test_ticks_apply_and_are_idempotent(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)])
    client = login_as(manager)
    at = utcnow().isoformat()
    for _ in range(2):
        resp = client.post(
            f"{_base(shop)}/ticks",
            json={"ticks": [{"order_id": order.id, "collected": True, "at": at}]},
        )
        assert resp.status_code == 200
        assert resp.get_json()["results"] == [
            {"order_id": order.id, "outcome": "applied", "collected": True}
        ]
    db.session.refresh(order)
    assert order.status is OrderStatus.collected
    first_collected_at = order.collected_at
    assert first_collected_at is not None


def test_an_untick_older_than_the_hand_over_is_stale(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)])
    client = login_as(manager)
    now = utcnow()
    client.post(
        f"{_base(shop)}/ticks",
        json={"ticks": [{"order_id": order.id, "collected": True, "at": now.isoformat()}]},
    )
    # a phone that was offline un-ticked it a minute before the hand-over was recorded
    old = (now - timedelta(minutes=1)).isoformat()
    resp = client.post(
        f"{_base(shop)}/ticks",
        json={"ticks": [{"order_id": order.id, "collected": False, "at": old}]},
    )
    assert resp.get_json()["results"] == [
        {"order_id": order.id, "outcome": "stale", "collected": True}
    ]
    db.session.refresh(order)
    assert order.status is OrderStatus.collected
    # a newer un-tick wins
    newer = (now + timedelta(seconds=1)).isoformat()
    resp = client.post(
        f"{_base(shop)}/ticks",
        json={"ticks": [{"order_id": order.id, "collected": False, "at": newer}]},
    )
    assert resp.get_json()["results"][0]["outcome"] == "applied"
    db.session.refresh(order)
    assert order.status is OrderStatus.confirmed
    assert order.collected_at is None


def test_ticks_for_another_hubs_order_or_bad_bodies_are_refused(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    other, _other_manager = shop_with_manager(offers=1)
    foreign = place(other, [(other.offers[0].id, 1)])
    cancelled = place(shop, [(shop.offers[0].id, 1)])
    cancel_order(cancelled, actor=None, reason="test")
    client = login_as(manager)
    at = utcnow().isoformat()
    resp = client.post(
        f"{_base(shop)}/ticks",
        json={
            "ticks": [
                {"order_id": foreign.id, "collected": True, "at": at},
                {"order_id": cancelled.id, "collected": True, "at": at},
            ]
        },
    )
    assert resp.get_json()["results"] == [
        {"order_id": foreign.id, "outcome": "order_not_in_cycle"},
        # the phone is told the state to show: not collected
        {"order_id": cancelled.id, "outcome": "order_not_collectable", "collected": False},
    ]
    db.session.refresh(foreign)
    assert foreign.status is OrderStatus.confirmed
    for body in (
        {},
        {"ticks": [{"order_id": "x", "collected": True, "at": at}]},
        {"ticks": [{"order_id": 1, "collected": True, "at": "yesterday"}]},
        {"ticks": [{"order_id": 1, "collected": True, "at": "2026-11-28T10:00:00"}]},
    ):
        resp = client.post(f"{_base(shop)}/ticks", json=body)
        assert resp.status_code == 400
        assert resp.get_json()["error"]["code"] == "invalid_ticks"


def test_form_fallback_without_javascript(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)])
    client = login_as(manager)
    url = f"{_base(shop)}/{shop.window.id}/tick"
    resp = client.post(url, data={"order_id": order.id, "collected": "1"})
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/pickup/{shop.window.id}#order-{order.id}")
    db.session.refresh(order)
    assert order.status is OrderStatus.collected
    client.post(url, data={"order_id": order.id, "collected": "0"})
    db.session.refresh(order)
    assert order.status is OrderStatus.confirmed


def test_other_hubs_managers_and_citizens_are_refused(db_session, login_as, client):
    shop, _manager = shop_with_manager(offers=1)
    other, other_manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)])
    assert client.get(_base(shop)).status_code == 302  # anonymous: log in first
    login_as(UserFactory())
    assert client.get(_base(shop)).status_code == 403
    login_as(other_manager)
    assert client.get(_base(shop)).status_code == 403
    resp = client.post(
        f"{_base(shop)}/ticks",
        json={"ticks": [{"order_id": order.id, "collected": True, "at": utcnow().isoformat()}]},
    )
    assert resp.status_code == 403
    # their own hub's URL with our window: not found
    url = f"/hubs/{other.hub.id}/cycles/{other.cycle.id}/pickup/{shop.window.id}"
    assert client.get(url).status_code == 404
    db.session.refresh(order)
    assert order.status is OrderStatus.confirmed


def test_checklist_queries_do_not_grow_with_orders(db_session, login_as):
    shop, manager = shop_with_manager(offers=2, slot_capacity=None)
    client = login_as(manager)
    url = f"{_base(shop)}/{shop.window.id}"

    def count() -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    for _ in range(2):
        place(shop, [(shop.offers[0].id, 1), (shop.offers[1].id, 1)])
    count()  # warm: the first request loads the session's user and enterprise memberships
    few = count()
    for _ in range(18):
        place(shop, [(shop.offers[0].id, 1), (shop.offers[1].id, 1)])
    assert count() == few


def test_manager_of_hub_sees_it_as_a_member(db_session, login_as):
    """A second manager added to the team runs the pickup too."""
    shop, _manager = shop_with_manager(offers=1)
    helper = UserFactory()
    MembershipFactory(user=helper, enterprise=shop.hub)
    assert login_as(helper).get(_base(shop)).status_code == 200


def test_unpaid_card_orders_are_not_listed_and_packed_weight_is_shown(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    tomatoes = weighed_offer(shop)
    waiting = place(
        shop,
        [(shop.offers[0].id, 1)],
        customer=UserFactory(full_name="Carte Enattente"),
        method=PaymentMethod.card,
        key="pickup-card",
    )
    assert waiting.status is OrderStatus.pending_payment
    weighed = place(shop, [(tomatoes.id, 1)], customer=UserFactory(full_name="Léa Pesée"))
    weighed.lines[0].final_weight_g = 520
    db.session.commit()

    html = login_as(manager).get(f"{_base(shop)}/{shop.window.id}").get_data(as_text=True)
    assert "Carte Enattente" not in html
    assert "Léa Pesée" in html
    assert "1 × Tomates anciennes – barquette (0,520 kg)" in html
    summary = login_as(manager).get(_base(shop)).get_data(as_text=True)
    assert "1 à retirer" in summary  # the unpaid card order is not counted


def test_index_queries_do_not_grow_with_windows_and_orders(db_session, login_as):
    shop, manager = shop_with_manager(offers=1, slot_capacity=None)
    client = login_as(manager)

    def count() -> int:
        with count_queries() as counter:
            assert client.get(_base(shop)).status_code == 200
        return counter.count

    place(shop, [(shop.offers[0].id, 1)])
    count()
    few = count()
    for _ in range(15):
        place(shop, [(shop.offers[0].id, 1)])
    assert count() == few
