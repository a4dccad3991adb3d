"""Placing an order on SQLite (`make run`): the id comes with the INSERT, then the number and
the "placed" event are written (PostgreSQL takes the id from the sequence first)."""

from __future__ import annotations

from core.db import db
from core.timeutils import utcnow
from orders import services
from orders.history import events_of
from orders.models import EventKind, PaymentMethod
from tests.factories import UserFactory
from tests.factories_orders import make_shop


def test_an_order_placed_on_sqlite_has_its_number_and_its_placed_event(sqlite_client):
    shop = make_shop(offers=1, stock=5)
    db.session.commit()
    order = services.place_order(
        cycle=shop.cycle,
        customer=UserFactory(),
        items=[(shop.offers[0].id, 2)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id,
        payment_method=PaymentMethod.at_pickup,
        idempotency_key="sqlite-k1",
        terms_accepted=True,
        now=utcnow(),
    )
    assert order.number == f"{order.placed_at.year}-{order.id:06d}"
    assert [event.kind for event in events_of(order)] == [EventKind.placed]
    assert shop.offers[0].variant.stock == 3
