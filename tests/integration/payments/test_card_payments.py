"""Card payments against localstripe with the real stripe-python client; signed webhooks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coop.models import CommissionEntry
from core.db import db
from core.timeutils import utcnow
from orders import services as order_services
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from payments import services, stripe_api
from payments.errors import PaymentPending
from payments.models import Payment, PaymentState, Refund, StripeEvent
from tests.factories import UserFactory
from tests.factories_orders import make_shop
from tests.factories_payments import event_for, sign

SECRET = "whsec_test_comptoir"


def _card_order(shop, key="k-card"):
    return order_services.place_order(
        cycle=shop.cycle,
        customer=UserFactory(),
        items=[(shop.offers[0].id, 2)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id,
        payment_method=PaymentMethod.card,
        idempotency_key=key,
        terms_accepted=True,
        now=utcnow(),
    )


def _pay_in_stripe(payment: Payment, number: str = "4242424242424242"):
    api = stripe_api.client().v1
    pm = api.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    return pm.id


def _deliver(client, payload: bytes):
    return client.post(
        "/payments/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": sign(payload, SECRET), "Content-Type": "application/json"},
    )


def test_double_submission_and_replayed_webhooks_give_one_paid_order(
    client, db_session, stripe_app
):
    shop = make_shop(offers=1, stock=5)
    order = _card_order(shop)
    again = order_services.place_order(  # the same checkout submitted a second time
        cycle=shop.cycle,
        customer=order.customer,
        items=[(shop.offers[0].id, 2)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id,
        payment_method=PaymentMethod.card,
        idempotency_key="k-card",
        terms_accepted=True,
        now=utcnow(),
    )
    assert again.id == order.id
    first = services.start_card_payment(order)
    second = services.start_card_payment(again)
    assert first.id == second.id
    assert first.stripe_payment_intent_id
    assert db_session.scalar(select(func.count(Payment.id))) == 1

    result = services.confirm_card_payment(order, _pay_in_stripe(first))
    assert result.status == "succeeded"
    assert order.payment_status is PaymentStatus.pending  # only the webhook marks it paid

    intent = stripe_api.client().v1.payment_intents.retrieve(first.stripe_payment_intent_id)
    payload = event_for(intent, "payment_intent.succeeded", "evt_test_succeeded_1")
    for _ in range(3):
        response = _deliver(client, payload)
        assert response.status_code == 200, response.get_data(as_text=True)
    db.session.refresh(order)
    assert db.session.get(Payment, first.id).last_error == ""
    assert order.status is OrderStatus.confirmed
    assert order.payment_status is PaymentStatus.paid
    assert db_session.scalar(select(func.count(StripeEvent.id))) == 1
    assert db_session.scalar(select(func.count(Payment.id))) == 1
    assert db_session.scalar(select(func.count(Order.id))) == 1
    entries = list(db_session.scalars(select(CommissionEntry)))
    assert [e.amount_cents for e in entries] == [10]  # 1 % of 9.90 = 0.099 -> 0.10

    # cancelling a paid order refunds it, once
    order_services.cancel_order(order, actor=None, reason="test")
    db.session.refresh(order)
    assert order.payment_status is PaymentStatus.refunded
    assert order.refunded_cents == order.total_cents
    assert db_session.scalar(select(func.count(Refund.id))) == 1
    assert sum(e.amount_cents for e in db_session.scalars(select(CommissionEntry))) == 0


def test_bad_signature_is_refused(client, db_session):
    payload = b'{"id": "evt_x", "type": "payment_intent.succeeded", "data": {"object": {}}}'
    response = client.post(
        "/payments/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": sign(payload, "whsec_wrong")},
    )
    assert response.status_code == 400
    assert db_session.scalar(select(func.count(StripeEvent.id))) == 0


def test_amount_mismatch_does_not_mark_paid(client, db_session, stripe_app):
    shop = make_shop(offers=1)
    order = _card_order(shop, key="k-mismatch")
    payment = services.start_card_payment(order)
    intent = {
        "id": payment.stripe_payment_intent_id,
        "object": "payment_intent",
        "amount": order.total_cents - 1,
        "amount_received": order.total_cents - 1,
        "currency": "eur",
        "status": "succeeded",
        "metadata": {"kind": "order", "order_id": str(order.id)},
    }
    response = _deliver(client, event_for(intent, "payment_intent.succeeded", "evt_mismatch"))
    assert response.status_code == 200
    db.session.refresh(order)
    assert order.payment_status is PaymentStatus.pending
    assert "mismatch" in db.session.get(Payment, payment.id).last_error


def test_stripe_unreachable_keeps_the_order_payment_pending(db_session, app):
    previous = app.config.get("STRIPE_API_BASE")
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    try:
        shop = make_shop(offers=1)
        order = _card_order(shop, key="k-down")
        with pytest.raises(PaymentPending):
            services.start_card_payment(order)
    finally:
        app.config["STRIPE_API_BASE"] = previous
    payment = db_session.scalar(select(Payment))
    assert payment.state is PaymentState.created
    assert payment.last_error
    assert order.status is OrderStatus.pending_payment


def test_pay_at_pickup_recorded_by_the_hub(db_session):
    shop = make_shop(offers=1)
    order = order_services.place_order(
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
    first = services.record_manual_payment(order, method="cash", actor=None)
    second = services.record_manual_payment(order, method="cash", actor=None)
    assert first.id == second.id
    assert order.payment_status is PaymentStatus.paid
    assert order.commission_cents == 5  # 1 % of 4.95 = 0.0495 -> 0.05


def test_connected_hub_is_paid_directly_and_the_commission_is_the_application_fee(
    client, db_session, stripe_app
):
    shop = make_shop(offers=1, stock=5)
    shop.cycle.hub.stripe_account_id = "acct_hub_la_grange"
    shop.cycle.hub.stripe_charges_enabled = True
    order = _card_order(shop, key="k-connect")
    payment = services.start_card_payment(order)
    assert payment.stripe_account_id == "acct_hub_la_grange"
    assert payment.application_fee_cents == 10  # 1 % of 9.90, half up

    api = stripe_api.client().v1
    options = {"stripe_account": "acct_hub_la_grange"}
    intent = api.payment_intents.retrieve(payment.stripe_payment_intent_id, options=options)
    assert intent.application_fee_amount == 10
    assert intent.amount == order.total_cents

    services.confirm_card_payment(order, _pay_in_stripe(payment))
    intent = api.payment_intents.retrieve(payment.stripe_payment_intent_id, options=options)
    charge = intent.latest_charge  # localstripe returns it expanded; Stripe returns the id
    if isinstance(charge, str):
        charge = api.charges.retrieve(charge, options=options)
    assert charge.application_fee_amount == 10

    payload = event_for(intent, "payment_intent.succeeded", "evt_test_connect_1")
    assert _deliver(client, payload).status_code == 200
    db.session.refresh(order)
    assert order.payment_status is PaymentStatus.paid
    entries = list(db_session.scalars(select(CommissionEntry)))
    assert [(e.amount_cents, e.collected_via) for e in entries] == [(10, "application_fee")]


def test_localstripe_refuses_an_application_fee_without_a_connected_account(app_ctx, stripe_app):
    import stripe

    api = stripe_api.client().v1
    with pytest.raises(stripe.InvalidRequestError, match="connected account"):
        api.payment_intents.create(
            params={"amount": 990, "currency": "eur", "application_fee_amount": 10}
        )
