"""A refund Stripe cannot take right now is recorded as pending, shown to the hub, and sent
again by ``flask payments retry-refunds`` until it goes through (localstripe down, then up)."""

from __future__ import annotations

import socket

from sqlalchemy import select

from core.db import db
from orders.models import PaymentStatus
from payments import stripe_api
from payments.models import Payment, Refund, RefundKind, RefundState
from payments.services import retry_pending_refunds
from tests.factories_operations import paid_card_order, shop_with_manager


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens there once closed


def test_refund_while_stripe_is_down_is_pending_then_retried_until_done(
    client, db_session, stripe_app, login_as
):
    shop, manager = shop_with_manager(offers=1, stock=10)
    order = paid_card_order(client, shop, [(shop.offers[0].id, 2)], key="pending-1")
    up = stripe_app.config["STRIPE_API_BASE"]
    stripe_app.config["STRIPE_API_BASE"] = _closed_port_url()
    hub = login_as(manager)

    response = hub.post(
        f"/hubs/{shop.hub.id}/orders/{order.id}/refund",
        data={"amount": "3,00", "reason": "tomates abîmées"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="refund-pending"' in page
    assert "envoyé à nouveau automatiquement" in page  # the flash, in French
    refund = db.session.scalar(select(Refund).where(Refund.order_id == order.id))
    assert (refund.state, refund.kind, refund.amount_cents) == (
        RefundState.pending,
        RefundKind.goodwill,
        300,
    )
    assert refund.stripe_refund_id is None
    assert refund.last_error
    db.session.refresh(order)
    # decided: reserved on the payment and counted as refunded
    assert order.refunded_cents == 300
    assert order.payment_status is PaymentStatus.partially_refunded
    assert db.session.get(Payment, refund.payment_id).refunded_cents == 300

    # the job while Stripe is still down: still pending, nothing lost
    result = stripe_app.test_cli_runner().invoke(args=["payments", "retry-refunds"])
    assert result.exit_code == 0, result.output
    assert "0 done, 1 still pending" in result.output
    db.session.refresh(refund)
    assert refund.state is RefundState.pending
    assert refund.attempts == 2

    # Stripe is back: the next run refunds it, once
    stripe_app.config["STRIPE_API_BASE"] = up
    result = stripe_app.test_cli_runner().invoke(args=["payments", "retry-refunds"])
    assert "1 done, 0 still pending" in result.output
    db.session.refresh(refund)
    assert refund.state is RefundState.succeeded
    assert refund.stripe_refund_id
    assert stripe_api.client().v1.refunds.retrieve(refund.stripe_refund_id).amount == 300
    assert retry_pending_refunds() == {"pending": 0, "succeeded": 0, "failed": 0}
    page = hub.get(f"/hubs/{shop.hub.id}/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="refund-pending"' not in page
    assert 'data-testid="order-refunded">3,00' in page


def test_a_retry_after_a_lost_answer_finds_the_refund_stripe_made(client, db_session, stripe_app):
    from operations.backoffice import services

    shop, manager = shop_with_manager(offers=1, stock=10)
    order = paid_card_order(client, shop, [(shop.offers[0].id, 2)], key="pending-2")
    up = stripe_app.config["STRIPE_API_BASE"]
    stripe_app.config["STRIPE_API_BASE"] = _closed_port_url()
    refund = services.refund_order(order, 200, actor=manager, reason="")
    assert refund.state is RefundState.pending
    # Stripe did make it, but its answer never came back (after Stripe's 24 h of idempotency)
    stripe_app.config["STRIPE_API_BASE"] = up
    payment = db.session.get(Payment, refund.payment_id)
    made = stripe_api.client().v1.refunds.create(
        params={
            "payment_intent": payment.stripe_payment_intent_id,
            "amount": 200,
            "metadata": {"refund_id": str(refund.id)},
        }
    )
    assert retry_pending_refunds()["succeeded"] == 1
    db.session.refresh(refund)
    assert refund.stripe_refund_id == made.id
    listed = stripe_api.client().v1.refunds.list(
        params={"payment_intent": payment.stripe_payment_intent_id}
    )
    assert [r.amount for r in listed.data] == [200]  # not refunded twice


def test_a_refund_stripe_refuses_for_good_is_failed_and_its_amount_released(
    client, db_session, stripe_app, login_as
):
    from operations.backoffice import services

    shop, manager = shop_with_manager(offers=1, stock=10)
    order = paid_card_order(client, shop, [(shop.offers[0].id, 2)], key="failed-1")
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    payment.stripe_payment_intent_id = "pi_unknown_to_stripe"  # Stripe answers 404
    db.session.commit()

    refund = services.refund_order(order, 200, actor=manager, reason="")
    assert refund.state is RefundState.failed
    assert refund.last_error
    db.session.refresh(order)
    db.session.refresh(payment)
    assert (order.refunded_cents, payment.refunded_cents) == (0, 0)
    assert order.payment_status is PaymentStatus.paid
    assert retry_pending_refunds()["failed"] == 0  # not retried
    page = login_as(manager).get(f"/hubs/{shop.hub.id}/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="refund-failed"' in page
