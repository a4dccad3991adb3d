"""What payments does when an order's life moves (orders.signals), after the order's commit.

- ``order_cancelled``: the commission ledger follows (nothing is due on a cancelled order);
  what was paid by card is refunded (Stripe), or the open PaymentIntent cancelled; what a hub
  cancels after a payment at pickup is recorded as given back (the hub returns it).
- ``hold_expiring``: before an unpaid card order is released, Stripe is asked for its
  PaymentIntent (issue 17, item 4): succeeded → the order is marked paid and kept; processing
  (or requires capture) → kept, the webhook will tell; otherwise the intent is cancelled at
  Stripe first (so it can no longer be paid), and only then is the order released.
"""

from __future__ import annotations

import logging
from typing import Any

from core.db import db
from core.errors import DomainError
from orders.history import Actor
from orders.models import ActorKind, Order, PaymentMethod, PaymentStatus
from orders.services import lock_order
from orders.signals import HOLD_KEEP, HOLD_RELEASE, hold_expiring, order_cancelled
from payments import payables, services
from payments.commission import sync_commission
from payments.errors import ServiceUnreachable
from payments.models import PaymentState, RefundKind

log = logging.getLogger(__name__)


def on_order_cancelled(order: Order, *, by: Actor, reason: str = "", **_: Any) -> None:
    locked = lock_order(order.id)
    assert locked is not None
    sync_commission(locked)
    db.session.commit()
    order = locked
    refund_reason = reason or "order cancelled"
    try:
        if order.payment_method is PaymentMethod.card:
            left = services.refundable_cents(order)
            paid = order.payment_status in (PaymentStatus.paid, PaymentStatus.partially_refunded)
            if paid and left > 0:
                services.refund_payment(
                    order, left, reason=refund_reason, kind=RefundKind.cancellation, by=by
                )
            else:
                services.cancel_open_intents(order)
        elif by.kind is ActorKind.hub:
            left = services.refundable_cents(order)
            if left > 0:
                services.refund_payment(
                    order, left, reason=refund_reason, kind=RefundKind.cancellation, by=by
                )
    except DomainError:
        log.exception("after cancelling order %s: refund or intent cancel failed", order.id)


def on_hold_expiring(order: Order, **_: Any) -> str:
    payment = services.card_payment_of(order)
    if payment is None or not payment.stripe_payment_intent_id:
        return HOLD_RELEASE
    pi = payment.stripe_payment_intent_id
    account = payment.stripe_account_id
    try:
        intent = payables.retrieve_intent(pi, stripe_account=account)
    except ServiceUnreachable as exc:
        log.warning("order %s: PaymentIntent %s not read, hold kept: %s", order.id, pi, exc.detail)
        return HOLD_KEEP  # unknown: the next run asks again
    if intent.status == "succeeded":
        services.apply_succeeded_intent(payment.id, intent.to_dict())
        return HOLD_KEEP
    if intent.status in ("processing", "requires_capture"):
        return HOLD_KEEP
    if intent.status != "canceled":
        try:
            cancel_key = f"{payment.idempotency_key}-cancel"
            payables.cancel_intent(pi, key=cancel_key, stripe_account=account)
        except ServiceUnreachable as exc:
            # charged meanwhile, or Stripe unreachable: not released; the next run asks again
            log.warning(
                "order %s: PaymentIntent %s not cancelled, hold kept: %s", order.id, pi, exc.detail
            )
            return HOLD_KEEP
    payment.state = PaymentState.cancelled
    db.session.commit()
    return HOLD_RELEASE


def connect() -> None:
    order_cancelled.connect(on_order_cancelled)
    hold_expiring.connect(on_hold_expiring)


connect()
