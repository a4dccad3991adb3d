"""The order's signals are sent after the commit: a subscriber sees the change committed (another
connection reads it), never a change that could still be rolled back."""

from __future__ import annotations

from sqlalchemy import text

from core.db import db
from orders import services
from orders.models import EventKind, OrderStatus
from orders.signals import order_cancelled, order_lines_changed, order_placed
from tests.factories import UserFactory
from tests.factories_operations import place
from tests.factories_orders import make_shop


def _seen_by_another_connection(order_id: int) -> tuple[str, list[str]]:
    with db.engine.connect() as other:
        status = other.execute(
            text("SELECT status FROM orders WHERE id = :id"), {"id": order_id}
        ).scalar_one()
        kinds = other.execute(
            text("SELECT kind FROM order_events WHERE order_id = :id ORDER BY id"), {"id": order_id}
        ).scalars()
        return status, list(kinds)


def test_signals_come_after_the_commit(committed):
    shop = make_shop(offers=2, stock=5)
    citizen = UserFactory()
    db.session.commit()
    seen: list[tuple[str, str, list[str]]] = []

    def receiver(name):
        def receive(order, **_):
            seen.append((name, *_seen_by_another_connection(order.id)))

        return receive

    receivers = [
        (order_placed, receiver("placed")),
        (order_lines_changed, receiver("lines")),
        (order_cancelled, receiver("cancelled")),
    ]
    for signal, fn in receivers:
        signal.connect(fn)
    try:
        order = place(shop, [(shop.offers[0].id, 2), (shop.offers[1].id, 1)], customer=citizen)
        services.update_order_lines(order, {shop.offers[0].id: 1}, actor=citizen)
        services.cancel_order(order, actor=citizen, reason="cancelled by the customer")
    finally:
        for signal, fn in receivers:
            signal.disconnect(fn)

    assert seen == [
        ("placed", OrderStatus.confirmed.value, [EventKind.placed.value]),
        ("lines", OrderStatus.confirmed.value, ["placed", "lines_changed"]),
        ("cancelled", OrderStatus.cancelled.value, ["placed", "lines_changed", "cancelled"]),
    ]
