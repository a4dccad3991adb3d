"""One cancel path for every origin (citizen, hub, expired hold, card paid after cancelling), and
an expired hold released only once Stripe says its PaymentIntent was not charged (localstripe)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import stripe
from sqlalchemy import func, select

from core.db import db
from orders import services as order_services
from orders.models import (
    ActorKind,
    EventKind,
    OrderEvent,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from orders.signals import order_cancelled
from payments import services, stripe_api
from payments.models import Payment, PaymentState, Refund
from tests.factories import UserFactory
from tests.factories_operations import place, shop_with_manager
from tests.factories_orders import make_shop
from tests.factories_payments import event_for, sign

SECRET = "whsec_test_comptoir"


@pytest.fixture
def cancels():
    """Every ``order_cancelled`` sent: (order id, who)."""
    sent: list[tuple[int, ActorKind]] = []

    def receiver(order, *, by, **_):
        sent.append((order.id, by.kind))

    order_cancelled.connect(receiver)
    yield sent
    order_cancelled.disconnect(receiver)


def _kinds(order) -> list[EventKind]:
    return list(
        db.session.scalars(
            select(OrderEvent.kind).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
        )
    )


def _charge(order) -> Payment:
    """The citizen pays in Stripe (localstripe); the webhook has not come (yet)."""
    payment = services.start_card_payment(order)
    pm = stripe_api.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {
                "number": "4242424242424242",
                "exp_month": 12,
                "exp_year": 2030,
                "cvc": "123",
            },
        }
    )
    assert services.confirm_card_payment(order, pm.id).status == "succeeded"
    return payment


def _stock(shop) -> int:
    db.session.refresh(shop.offers[0].variant)
    return shop.offers[0].variant.stock


def test_release_expired_marks_a_charged_intent_paid_instead(db_session, stripe_app, cancels):
    shop = make_shop(offers=1, stock=5)
    order = place(shop, [(shop.offers[0].id, 2)], method=PaymentMethod.card, key="k-charged")
    payment = _charge(order)
    after_hold = order.hold_expires_at + timedelta(minutes=1)

    assert order_services.release_expired_holds(after_hold) == 0

    db.session.refresh(order)
    assert order.status is OrderStatus.confirmed
    assert order.payment_status is PaymentStatus.paid
    assert order.hold_expires_at is None
    assert db.session.get(Payment, payment.id).state is PaymentState.succeeded
    assert _stock(shop) == 3  # still sold
    assert db.session.scalar(select(func.count(Refund.id))) == 0
    assert _kinds(order) == [EventKind.placed, EventKind.paid]
    assert cancels == []
    # the webhook coming afterwards changes nothing
    assert order_services.release_expired_holds(after_hold) == 0


def test_release_expired_cancels_the_open_intent_then_the_order(db_session, stripe_app, cancels):
    shop = make_shop(offers=1, stock=5)
    order = place(shop, [(shop.offers[0].id, 2)], method=PaymentMethod.card, key="k-open")
    payment = services.start_card_payment(order)  # the citizen never entered a card

    assert order_services.release_expired_holds(order.hold_expires_at + timedelta(minutes=1)) == 1

    db.session.refresh(order)
    assert order.status is OrderStatus.cancelled
    assert order.payment_status is PaymentStatus.unpaid
    assert _stock(shop) == 5
    intent = stripe_api.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert intent.status == "canceled"  # it can no longer be paid
    assert db.session.get(Payment, payment.id).state is PaymentState.cancelled
    assert _kinds(order) == [EventKind.placed, EventKind.hold_released]
    assert cancels == [(order.id, ActorKind.system)]


class _Intents:
    def __init__(self, status: str | None) -> None:
        self.status = status
        self.cancelled = False

    def retrieve(self, *_args, **_kwargs):
        if self.status is None:
            raise stripe.APIConnectionError("Stripe unreachable")
        return stripe.PaymentIntent.construct_from({"id": "pi_x", "status": self.status}, "k")

    def cancel(self, *_args, **_kwargs):
        self.cancelled = True


@pytest.mark.parametrize("status", ["processing", "requires_capture", None])
def test_release_expired_keeps_an_intent_under_way_or_unknown(
    db_session, stripe_app, monkeypatch, status
):
    shop = make_shop(offers=1, stock=5)
    order = place(shop, [(shop.offers[0].id, 1)], method=PaymentMethod.card, key=f"k-{status}")
    services.start_card_payment(order)
    intents = _Intents(status)

    class _Client:
        class v1:  # noqa: N801 - the stripe client's attribute name
            payment_intents = intents

    monkeypatch.setattr(stripe_api, "client", lambda: _Client)
    assert order_services.release_expired_holds(order.hold_expires_at + timedelta(minutes=1)) == 0
    db.session.refresh(order)
    assert order.status is OrderStatus.pending_payment
    assert not intents.cancelled
    assert _kinds(order) == [EventKind.placed]


def test_a_card_paid_after_cancelling_goes_back_through_the_cancel_path(
    client, db_session, stripe_app, cancels
):
    shop = make_shop(offers=1, stock=5)
    citizen = UserFactory()
    order = place(
        shop, [(shop.offers[0].id, 2)], method=PaymentMethod.card, key="k-late", customer=citizen
    )
    payment = _charge(order)  # charged at Stripe, webhook not arrived yet
    order_services.cancel_order(order, actor=citizen, reason="cancelled by the customer")
    assert cancels == [(order.id, ActorKind.citizen)]
    db.session.refresh(order)
    assert order.payment_status is PaymentStatus.unpaid

    intent = stripe_api.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    payload = event_for(intent, "payment_intent.succeeded", "evt_late_1")
    stripe_app.config["STRIPE_WEBHOOK_SECRET"] = SECRET
    response = client.post(
        "/payments/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": sign(payload, SECRET), "Content-Type": "application/json"},
    )
    assert response.status_code == 200

    db.session.refresh(order)
    assert order.status is OrderStatus.cancelled
    assert order.payment_status is PaymentStatus.refunded
    assert order.refunded_cents == order.total_cents
    assert cancels == [(order.id, ActorKind.citizen), (order.id, ActorKind.stripe)]
    assert _kinds(order) == [
        EventKind.placed,
        EventKind.cancelled,
        EventKind.paid,
        EventKind.refunded,
    ]


def test_citizen_and_hub_cancel_through_the_one_path(db_session, login_as, cancels):
    shop, manager = shop_with_manager(offers=1)
    citizen = UserFactory()
    mine = place(shop, [(shop.offers[0].id, 1)], customer=citizen)
    theirs = place(shop, [(shop.offers[0].id, 1)])
    services.record_manual_payment(theirs, method="cash", actor=manager)

    login_as(citizen).post(f"/orders/{mine.id}/cancel")
    login_as(manager).post(
        f"/hubs/{theirs.hub_id}/orders/{theirs.id}/cancel", data={"restock": "y", "reason": "x"}
    )

    assert cancels == [(mine.id, ActorKind.citizen), (theirs.id, ActorKind.hub)]
    db.session.refresh(theirs)
    # paid at pickup, cancelled by the hub: recorded as given back (payments' subscriber)
    assert theirs.payment_status is PaymentStatus.refunded
    assert _kinds(theirs)[-2:] == [EventKind.cancelled, EventKind.refunded]
