"""Real concurrency on PostgreSQL: six hub refunds at once never give back more than was paid."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core.db import db
from operations.backoffice import services as backoffice
from operations.backoffice.errors import RefundTooLarge
from orders.models import Order
from payments.models import Payment, Refund
from tests.factories_operations import place, shop_with_manager
from tests.integration.orders.test_order_race import wide_pool

THREADS = 6


def test_six_concurrent_refunds_never_exceed_the_payment(committed):
    app = committed
    shop, manager = shop_with_manager(offers=1, stock=10)
    db.session.commit()
    order = place(shop, [(shop.offers[0].id, 2)])
    backoffice.mark_paid(order, method="cash", actor=manager)
    total = order.total_cents
    share = total // 3 + 1  # two fit in the payment, a third does not
    order_id, manager_id = order.id, manager.id
    db.session.remove()

    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        with app.app_context():
            try:
                who = db.session.get(User, manager_id)
                target = db.session.get(Order, order_id)
                barrier.wait(timeout=30)
                try:
                    backoffice.refund_order(target, share, actor=who, reason="abîmé")
                    outcome = "refunded"
                except RefundTooLarge:
                    db.session.rollback()
                    outcome = "too large"
                with lock:
                    outcomes.append(outcome)
            except BaseException as exc:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    with wide_pool(THREADS + 2):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)

    assert errors == []
    assert sorted(outcomes) == ["refunded"] * 2 + ["too large"] * 4
    refunds = db.session.scalars(select(Refund.amount_cents).where(Refund.order_id == order_id))
    assert list(refunds) == [share, share]
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order_id))
    assert payment.refunded_cents == 2 * share <= payment.amount_cents == total
    assert db.session.get(Order, order_id).refunded_cents == 2 * share

    # the database refuses a payment refunded beyond its amount, whatever the code does
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE payments SET refunded_cents = amount_cents + 1 WHERE id = :id"),
            {"id": payment.id},
        )
    db.session.rollback()
