"""Requests of one person writing their cart at once (two tabs, quick clicks, an API client
adding items in parallel) all succeed: the cart is created once and keeps every item."""

from __future__ import annotations

import threading

from sqlalchemy import select

from accounts.models import User
from core.db import db
from core.timeutils import utcnow
from cycles.models import OrderCycle
from orders import services
from orders.models import Cart, CartItem
from tests.factories import UserFactory
from tests.factories_orders import make_shop
from tests.integration.orders.test_order_race import wide_pool

THREADS = 8


def test_concurrent_first_cart_writes_of_one_person_keep_every_item(committed):
    app = committed
    shop = make_shop(offers=THREADS, producers=2)
    user = UserFactory()
    db.session.commit()
    cycle_id, user_id = shop.cycle.id, user.id
    offer_ids = [offer.id for offer in shop.offers]
    db.session.remove()
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(offer_id: int) -> None:
        with app.app_context():
            try:
                cycle = db.session.get(OrderCycle, cycle_id)
                person = db.session.get(User, user_id)
                barrier.wait(timeout=30)
                services.set_cart_quantity(
                    cycle=cycle,
                    user=person,
                    # each request saw an empty cart, as two tabs opened before either wrote
                    items={},
                    offer_id=offer_id,
                    quantity=1,
                    now=utcnow(),
                )
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    with wide_pool(THREADS + 2):
        threads = [threading.Thread(target=worker, args=(oid,)) for oid in offer_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    carts = db.session.scalars(select(Cart).where(Cart.user_id == user_id)).all()
    assert len(carts) == 1
    items = db.session.scalars(select(CartItem).where(CartItem.cart_id == carts[0].id)).all()
    assert sorted(item.offer_id for item in items) == sorted(offer_ids)  # no click lost
