"""Real concurrency on PostgreSQL: 50 threads race for the last 10 units."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import scoped_session, sessionmaker

from core.db import db
from core.timeutils import utcnow
from cycles.models import CycleOffer, OrderCycle
from orders import services
from orders.errors import InsufficientStock
from orders.models import Order, PaymentMethod
from products.models import Variant
from tests.factories import UserFactory
from tests.factories_orders import make_shop

THREADS = 50


@contextmanager
def wide_pool(size: int) -> Iterator[None]:
    """One PostgreSQL connection per thread: all 50 really race (the app pool holds 15)."""
    engine = create_engine(db.engine.url, pool_size=size, max_overflow=0, pool_timeout=60)
    original = db.session
    db.session = scoped_session(sessionmaker(bind=engine, expire_on_commit=False))
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        engine.dispose()


def test_fifty_threads_race_for_the_last_ten_units(committed):
    app = committed
    shop = make_shop(offers=1, stock=10, slot_capacity=None)
    users = [UserFactory() for _ in range(THREADS)]
    db.session.commit()
    cycle_id, window_id, offer_id = shop.cycle.id, shop.window.id, shop.offers[0].id
    variant_id = shop.offers[0].variant_id
    user_ids = [u.id for u in users]
    db.session.remove()

    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(user_id: int) -> None:
        with app.app_context():
            try:
                cycle = db.session.get(OrderCycle, cycle_id)
                from accounts.models import User

                user = db.session.get(User, user_id)
                barrier.wait(timeout=30)
                try:
                    services.place_order(
                        cycle=cycle,
                        customer=user,
                        items=[(offer_id, 1)],
                        pickup_window_id=window_id,
                        pickup_slot_id=None,
                        payment_method=PaymentMethod.at_pickup,
                        idempotency_key=None,
                        terms_accepted=True,
                        now=utcnow(),
                    )
                    outcome = "ok"
                except InsufficientStock as exc:
                    db.session.rollback()
                    short = exc.fields["items"][0]
                    outcome = "short" if short["available"] == 0 else f"short {short}"
                with lock:
                    results.append(outcome)
            except BaseException as exc:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(uid,)) for uid in user_ids]
    with wide_pool(THREADS + 2):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)

    assert errors == []
    assert results.count("ok") == 10
    assert results.count("short") == 40
    assert db.session.scalar(select(func.count(Order.id))) == 10
    assert db.session.scalar(select(Variant.stock).where(Variant.id == variant_id)) == 0
    assert db.session.scalar(select(OrderCycle.orders_count).where(OrderCycle.id == cycle_id)) == 10
    assert db.session.get(CycleOffer, offer_id).remaining is None


def _same_key_four_times(app, *, stock: int) -> list[int]:
    """Four threads submit the same order (2 units of one item, one idempotency key) at once;
    the ids of the orders they got back (any error fails the test)."""
    shop = make_shop(offers=1, stock=stock)
    user = UserFactory()
    db.session.commit()
    ids = (shop.cycle.id, shop.window.id, shop.slot.id, shop.offers[0].id, user.id)
    db.session.remove()
    barrier = threading.Barrier(4)
    found: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        from accounts.models import User

        with app.app_context():
            try:
                cycle = db.session.get(OrderCycle, ids[0])
                customer = db.session.get(User, ids[4])
                barrier.wait(timeout=30)
                order = services.place_order(
                    cycle=cycle,
                    customer=customer,
                    items=[(ids[3], 2)],
                    pickup_window_id=ids[1],
                    pickup_slot_id=ids[2],
                    payment_method=PaymentMethod.at_pickup,
                    idempotency_key="double-submit-key",
                    terms_accepted=True,
                    now=utcnow(),
                )
                found.append(order.id)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    with wide_pool(6):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert errors == []
    return found


def test_concurrent_double_submission_makes_one_order(committed):
    found = _same_key_four_times(committed, stock=10)
    assert len(set(found)) == 1
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert db.session.scalar(select(Variant.stock)) == 8


def test_a_double_submission_for_the_last_units_answers_with_the_first_order(committed):
    """The first submission takes the last units: the others, waiting on the same item locks,
    must get that order back, not a refusal for stock."""
    found = _same_key_four_times(committed, stock=2)
    assert len(found) == 4
    assert len(set(found)) == 1
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert db.session.scalar(select(Variant.stock)) == 0
