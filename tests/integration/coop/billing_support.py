"""Helpers of the statement and admin tests: orders paid every way, months, pledges."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from coop.billing.statements import next_month, previous_month
from coop.models import ContributionPledge, Rhythm
from core.db import db
from core.timeutils import local_date, local_to_utc, utcnow
from orders import services as order_services
from orders.models import Order, PaymentMethod
from payments import services as payments
from payments import stripe_api
from tests.factories import MembershipFactory, UserFactory
from tests.factories_payments import event_for, sign

SECRET = "whsec_test_comptoir"


def this_month():
    return local_date(utcnow()).replace(day=1)


def after_month(month) -> datetime:
    """An instant one hour into the next month (the month has ended)."""
    return local_to_utc(next_month(month), time(1))


def last_month():
    return previous_month(this_month())


def order_at(shop, method: PaymentMethod, quantity: int = 1, key: str | None = None) -> Order:
    return order_services.place_order(
        cycle=shop.cycle,
        customer=UserFactory(),
        items=[(shop.offers[0].id, quantity)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id if shop.slot else None,
        payment_method=method,
        idempotency_key=key,
        terms_accepted=True,
        now=utcnow(),
    )


def pay_by_card(client, order: Order, event_id: str) -> None:
    """Pay through localstripe and deliver the signed webhook (connected account if any)."""
    payment = payments.start_card_payment(order)
    api = stripe_api.client().v1
    method = api.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    payments.confirm_card_payment(order, method.id)
    options = {"stripe_account": payment.stripe_account_id} if payment.stripe_account_id else {}
    intent = api.payment_intents.retrieve(payment.stripe_payment_intent_id, options=options)
    payload = event_for(intent, "payment_intent.succeeded", event_id)
    response = client.post(
        "/payments/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": sign(payload, SECRET), "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    db.session.refresh(order)


def pledge(enterprise, amount_cents: int, at: datetime | None = None) -> ContributionPledge:
    row = ContributionPledge(
        enterprise_id=enterprise.id,
        amount_cents=amount_cents,
        rhythm=Rhythm.monthly,
        created_at=at or utcnow() - timedelta(days=400),
    )
    db.session.add(row)
    db.session.flush()
    return row


def manager_of(enterprise):
    user = UserFactory()
    MembershipFactory(user=user, enterprise=enterprise)
    return user
