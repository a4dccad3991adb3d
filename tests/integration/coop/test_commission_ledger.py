"""The commission ledger: charged once an order is paid (whatever the method), reversed by
partial and full refunds and by cancellation; ``order.commission_cents`` follows the ledger."""

from __future__ import annotations

from sqlalchemy import select

from coop.models import CommissionEntry, CommissionKind
from core.db import db
from core.timeutils import utcnow
from orders import services as order_services
from orders.models import PaymentMethod, PaymentStatus
from payments import services as payments
from payments import stripe_api
from tests.factories import UserFactory
from tests.factories_orders import make_shop
from tests.factories_payments import event_for, sign

SECRET = "whsec_test_comptoir"


def _order(shop, method, key):
    # 11.22 EUR producer price + 10 % hub fee (1.122 -> 1.12) = 12.34 EUR
    return order_services.place_order(
        cycle=shop.cycle,
        customer=UserFactory(),
        items=[(shop.offers[0].id, 1)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id,
        payment_method=method,
        idempotency_key=key,
        terms_accepted=True,
        now=utcnow(),
    )


def _ledger(order_id):
    return [
        (e.kind, e.base_cents, e.amount_cents, e.collected_via)
        for e in db.session.scalars(
            select(CommissionEntry)
            .where(CommissionEntry.order_id == order_id)
            .order_by(CommissionEntry.id)
        )
    ]


def test_pay_at_pickup_is_charged_then_reversed_by_partial_and_full_refunds(db_session):
    shop = make_shop(offers=1, price_cents=1122, fee_bp=1000)
    order = _order(shop, PaymentMethod.at_pickup, "k-pickup")
    assert order.total_cents == 1234
    assert order.commission_cents == 0  # not paid yet: nothing charged
    assert _ledger(order.id) == []

    payments.record_manual_payment(order, method="cash", actor=None)
    assert order.commission_cents == 12
    assert _ledger(order.id) == [(CommissionKind.charge, 1234, 12, "statement")]

    payments.refund_payment(order, 617, reason="missing lettuce")  # half refunded
    db.session.refresh(order)
    assert order.payment_status is PaymentStatus.partially_refunded
    assert order.commission_cents == 6  # 1 % of 6.17 = 0.0617 -> 0.06
    assert _ledger(order.id)[-1] == (CommissionKind.reversal, 617, -6, "statement")

    payments.refund_payment(order, 617, reason="everything")
    db.session.refresh(order)
    assert order.payment_status is PaymentStatus.refunded
    assert order.commission_cents == 0
    assert _ledger(order.id)[-1] == (CommissionKind.reversal, 0, -6, "statement")
    assert sum(row[2] for row in _ledger(order.id)) == 0


def test_cancelling_a_paid_pickup_order_reverses_its_commission(db_session):
    shop = make_shop(offers=1, price_cents=1122, fee_bp=1000)
    order = _order(shop, PaymentMethod.at_pickup, "k-cancel")
    payments.record_manual_payment(order, method="card_on_site", actor=None)
    order_services.cancel_order(order, actor=None, reason="hub closed")
    db.session.refresh(order)
    assert order.commission_cents == 0
    assert [row[2] for row in _ledger(order.id)] == [12, -12]


def test_a_card_order_is_charged_the_same_commission_and_refunds_reverse_it(
    client, db_session, stripe_app
):
    shop = make_shop(offers=1, price_cents=1122, fee_bp=1000)
    order = _order(shop, PaymentMethod.card, "k-card-coop")
    payment = payments.start_card_payment(order)
    api = stripe_api.client().v1
    method = api.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    payments.confirm_card_payment(order, method.id)
    intent = api.payment_intents.retrieve(payment.stripe_payment_intent_id)
    payload = event_for(intent, "payment_intent.succeeded", "evt_coop_card_1")
    response = client.post(
        "/payments/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": sign(payload, SECRET), "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    db.session.refresh(order)
    assert order.payment_status is PaymentStatus.paid
    assert order.commission_cents == 12  # same rule as pay at pickup
    assert _ledger(order.id) == [(CommissionKind.charge, 1234, 12, "statement")]

    payments.refund_payment(order, 1000, reason="damaged")
    db.session.refresh(order)
    assert order.commission_cents == 2  # 1 % of 2.34 = 0.0234 -> 0.02
    assert _ledger(order.id)[-1][:3] == (CommissionKind.reversal, 234, -10)
