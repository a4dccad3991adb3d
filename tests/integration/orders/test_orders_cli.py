"""``flask orders release-expired``: the cron job that frees the stock of unpaid card orders."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.timeutils import utcnow
from notifications.models import OutboundEmail
from orders import services
from orders.models import OrderStatus, PaymentMethod, PaymentStatus
from tests.factories import UserFactory
from tests.factories_orders import make_shop


def _card_order(shop, quantity: int):
    return services.place_order(
        cycle=shop.cycle,
        customer=UserFactory(locale="fr"),
        items=[(shop.offers[0].id, quantity)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id,
        payment_method=PaymentMethod.card,
        idempotency_key=None,
        terms_accepted=True,
        now=utcnow(),
    )


def test_release_expired_cli_cancels_only_expired_unpaid_card_orders(app, db_session):
    shop = make_shop(offers=1, stock=10, remaining=8)
    offer = shop.offers[0]
    expired = _card_order(shop, 3)
    kept = _card_order(shop, 2)
    expired.hold_expires_at = utcnow() - timedelta(minutes=1)
    kept.hold_expires_at = utcnow() + timedelta(minutes=20)
    db_session.flush()
    assert offer.variant.stock == 5
    assert shop.slot.booked == 2

    runner = app.test_cli_runner()
    result = runner.invoke(args=["orders", "release-expired"])
    assert result.exit_code == 0, result.output
    assert "released 1 expired order hold(s)" in result.output

    db_session.expire_all()
    assert expired.status is OrderStatus.cancelled
    assert expired.payment_status is PaymentStatus.unpaid
    assert expired.hold_expires_at is None
    assert kept.status is OrderStatus.pending_payment
    assert offer.variant.stock == 8
    assert offer.remaining == 6
    assert shop.slot.booked == 1
    assert shop.cycle.orders_count == 1
    mail = db_session.scalar(
        select(OutboundEmail).where(OutboundEmail.dedupe_key == f"order_cancelled:{expired.id}")
    )
    assert "Le paiement n'a pas été effectué à temps." in mail.body_text

    again = runner.invoke(args=["orders", "release-expired"])
    assert again.exit_code == 0
    assert "released 0 expired order hold(s)" in again.output
    db_session.expire_all()
    assert offer.variant.stock == 8


def test_release_expired_cli_leaves_pay_at_pickup_orders_alone(app, db_session):
    shop = make_shop(offers=1, stock=10)
    order = services.place_order(
        cycle=shop.cycle,
        customer=UserFactory(),
        items=[(shop.offers[0].id, 1)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id,
        payment_method=PaymentMethod.at_pickup,
        idempotency_key=None,
        terms_accepted=True,
        now=utcnow(),
    )
    result = app.test_cli_runner().invoke(args=["orders", "release-expired"])
    assert "released 0 expired order hold(s)" in result.output
    db_session.expire_all()
    assert order.status is OrderStatus.confirmed
