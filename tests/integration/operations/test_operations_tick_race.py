"""Two ticks at once (real commits, one connection each): every notice is queued once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from core.db import db
from notifications.models import OutboundEmail
from operations.jobs import run_tick
from tests.factories_producer_orders import customer, farm_shop, order_for

TICKS = 4


def test_concurrent_ticks_queue_each_notice_once(committed):
    app = committed
    fs = farm_shop()
    tomato, cheese = fs.shop.offers[0], fs.shop.offers[1]
    order_for(fs.shop, customer("Alice Martin", "alice@example.org"), [(tomato.id, 2)])
    order_for(fs.shop, customer("Bob Durand", "bob@example.org"), [(cheese.id, 1)])
    db.session.commit()
    # after the close, and a minute before the pickup: lists and reminders are all due
    now = fs.shop.slot.starts_at - timedelta(minutes=1)
    db.session.remove()

    barrier = threading.Barrier(TICKS)
    results, errors = [], []

    def worker() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results.append(run_tick(now))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(TICKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors

    def count(kind: str) -> int:
        return db.session.scalar(
            select(func.count(OutboundEmail.id)).where(OutboundEmail.kind == kind)
        )

    assert count("producer_list") == 2
    assert count("pickup_reminder") == 2
    assert sum(r.producer_lists for r in results) == 2
    assert sum(r.pickup_reminders for r in results) == 2
