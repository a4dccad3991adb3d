"""Card payments of orders, payments at pickup, refunds, and the webhook.

The Stripe side (creating, confirming, cancelling a PaymentIntent, dispatching its events) is
``payments.payables``, once for anything payable; an order is the payable ``ORDER`` below.

Rules:
- Only a verified webhook marks a card order paid; pages only show the result.
- One Payment per card order, idempotency key ``order-<id>`` (locally unique, and the key sent to
  Stripe): a double submission finds the same PaymentIntent.
- Stripe is called outside any row lock. If it cannot be reached, the Payment stays "created"
  with ``last_error``; the order keeps its stock until the hold expires and the citizen retries.
- Amount and currency of every succeeded PaymentIntent are checked against the Payment and the
  order before anything is marked paid.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core.db import db
from core.timeutils import utcnow
from orders.history import Actor, record_event
from orders.models import EventKind, Order, OrderStatus, PaymentMethod, PaymentStatus
from orders.pricing import commission_for
from orders.services import cancel_order, lock_order, queue_order_confirmation
from orders.signals import order_paid
from orders.states import move_order, move_payment
from payments import connect, payables, stripe_api
from payments.commission import sync_commission
from payments.errors import (
    CardDeclined,
    PaymentNotPossible,
    PaymentPending,
    RefundNotPossible,
    ServiceUnreachable,
)
from payments.models import Payment, PaymentState, Refund, RefundKind, RefundState, StripeEvent
from payments.money import money_of
from payments.payables import AfterCommit

log = logging.getLogger(__name__)

MANUAL_METHODS = ("cash", "cheque", "card_on_site", "transfer")

_STATE_FROM_STRIPE = {
    "requires_payment_method": PaymentState.created,
    "requires_confirmation": PaymentState.created,
    "requires_action": PaymentState.requires_action,
    "processing": PaymentState.processing,
    "requires_capture": PaymentState.processing,
    "succeeded": PaymentState.succeeded,
    "canceled": PaymentState.cancelled,
}


def order_payment_key(order: Order) -> str:
    return f"order-{order.id}"


def _options(payment: Payment, idempotency_key: str | None = None) -> dict[str, Any]:
    return dict(payables.request_options(payment.stripe_account_id, idempotency_key))


def card_payment_of(order: Order) -> Payment | None:
    return db.session.scalar(
        select(Payment).where(Payment.idempotency_key == order_payment_key(order))
    )


# --------------------------------------------------------------------------- card payments


def order_charge(order: Order, payment: Payment) -> payables.Charge:
    """What the order's PaymentIntent asks (the order as a payable, see payments.payables)."""
    return payables.Charge(
        kind="order",
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        description=f"{order.hub.name} {order.number}",
        idempotency_key=payment.idempotency_key,
        metadata={"order_id": str(order.id), "order_number": order.number},
        stripe_account=payment.stripe_account_id,
        application_fee_cents=payment.application_fee_cents,
    )


def start_card_payment(order: Order) -> Payment:
    """Create (or find again) the order's PaymentIntent; commit.

    Automatic 3-D Secure (card, ``request_three_d_secure: automatic``), idempotency key
    ``order-<id>``, metadata {"kind": "order", "order_id"}, amount and currency from the order.
    On the hub's connected account (``Stripe-Account``) when it has one, with the 1 % commission
    as ``application_fee_amount``. Stripe unreachable → the Payment stays "created" with
    ``last_error`` and PaymentPending is raised (nothing is lost: calling again retries).
    Raises PaymentNotPossible for an order that is not awaiting a card payment.
    """
    if order.payment_method is not PaymentMethod.card or order.status not in (
        OrderStatus.pending_payment,
    ):
        raise PaymentNotPossible()
    payment = card_payment_of(order)
    if payment is None:
        account = order.hub.stripe_account_id or ""
        payment = Payment(
            order_id=order.id,
            provider="stripe",
            method="card",
            stripe_account_id=account,
            idempotency_key=order_payment_key(order),
            amount_cents=order.total_cents,
            currency=order.currency,
            application_fee_cents=commission_for(order.total_cents) if account else 0,
            state=PaymentState.created,
        )
        try:
            with db.session.begin_nested():
                db.session.add(payment)
        except IntegrityError:
            payment = card_payment_of(order)  # a concurrent submission created it
            assert payment is not None
        db.session.commit()
    if payment.stripe_payment_intent_id:
        return payment
    try:
        intent = payables.create_intent(order_charge(order, payment))
    except ServiceUnreachable as exc:
        payment.last_error = exc.detail
        db.session.commit()
        raise PaymentPending() from exc
    payment.stripe_payment_intent_id = intent.id
    payment.state = _client_side_state(intent.status, PaymentState.created)
    payment.last_error = ""
    db.session.commit()
    payment.client_secret = intent.client_secret  # type: ignore[attr-defined]
    return payment


@dataclass
class IntentStatus:
    status: str
    client_secret: str
    error: str = ""


def intent_status(payment: Payment) -> IntentStatus:
    """The PaymentIntent as Stripe sees it (for the pay page: client secret, status)."""
    secret = getattr(payment, "client_secret", None)
    if not payment.stripe_payment_intent_id:
        raise PaymentPending()
    try:
        intent = payables.retrieve_intent(
            payment.stripe_payment_intent_id, stripe_account=payment.stripe_account_id
        )
    except ServiceUnreachable as exc:
        if secret:
            return IntentStatus("unknown", secret)
        raise PaymentPending() from exc
    return IntentStatus(intent.status, intent.client_secret or "")


def confirm_card_payment(order: Order, payment_method_id: str) -> IntentStatus:
    """Attach the card the citizen entered (a PaymentMethod made by Stripe.js) and confirm.

    Returns the intent's status: "requires_action" means the browser must run 3-D Secure with
    ``stripe.confirmCardPayment(client_secret)``; "succeeded"/"processing" mean the webhook will
    mark the order paid. Raises CardDeclined (with Stripe's message), PaymentPending.
    """
    payment = card_payment_of(order)
    if payment is None or not payment.stripe_payment_intent_id:
        payment = start_card_payment(order)
    if order.status is not OrderStatus.pending_payment:
        raise PaymentNotPossible()
    pi = payment.stripe_payment_intent_id
    assert pi is not None
    try:
        intent = payables.confirm_intent(
            pi,
            payment_method_id,
            key=payment.idempotency_key,
            stripe_account=payment.stripe_account_id,
        )
    except CardDeclined as exc:
        if exc.card_error:
            payment.state = PaymentState.failed
        payment.last_error = str(exc.message)
        db.session.commit()
        raise
    except ServiceUnreachable as exc:
        payment.last_error = exc.detail
        db.session.commit()
        raise PaymentPending() from exc
    payment.state = _client_side_state(intent.status, payment.state)
    db.session.commit()
    return IntentStatus(intent.status, intent.client_secret)


def _client_side_state(stripe_status: str, current: PaymentState) -> PaymentState:
    """What an API answer may tell; "succeeded" is left to the verified webhook."""
    state = _STATE_FROM_STRIPE.get(stripe_status, current)
    return PaymentState.processing if state is PaymentState.succeeded else state


def cancel_open_intents(order: Order) -> None:
    """Cancel the unpaid PaymentIntent of a cancelled order (best effort, outside locks)."""
    payment = card_payment_of(order)
    if payment is None or not payment.stripe_payment_intent_id:
        return
    if payment.state in (PaymentState.succeeded, PaymentState.cancelled):
        return
    try:
        payables.cancel_intent(
            payment.stripe_payment_intent_id,
            key=f"{payment.idempotency_key}-cancel",
            stripe_account=payment.stripe_account_id,
        )
    except ServiceUnreachable as exc:
        # already succeeded (the webhook will refund) or Stripe unreachable: logged only
        log.info("PaymentIntent %s not cancelled: %s", payment.stripe_payment_intent_id, exc.detail)
        return
    payment.state = PaymentState.cancelled
    db.session.commit()


# --------------------------------------------------------------------------- manual payments


def record_manual_payment(order: Order, *, method: str, actor: User | None) -> Payment:
    """Mark an order paid at pickup (cash, cheque, card on site, transfer); commit once.

    Locks the order. Idempotent: an order already paid returns its existing payment. Syncs the
    commission ledger (billed on the hub's statement). Raises PaymentNotPossible for a cancelled
    order or an unknown method.
    """
    if method not in MANUAL_METHODS:
        raise PaymentNotPossible()
    locked = lock_order(order.id)
    assert locked is not None
    order = locked
    key = f"order-{order.id}-manual"
    existing = db.session.scalar(select(Payment).where(Payment.idempotency_key == key))
    if existing is not None or order.payment_status is PaymentStatus.paid:
        db.session.commit()
        if existing is not None:
            return existing
        paid = db.session.scalar(
            select(Payment)
            .where(Payment.order_id == order.id, Payment.state == PaymentState.succeeded)
            .order_by(Payment.id)
        )
        assert paid is not None
        return paid
    if order.status is OrderStatus.cancelled:
        raise PaymentNotPossible()
    now = utcnow()
    payment = Payment(
        order_id=order.id,
        provider="manual",
        method=method,
        idempotency_key=key,
        amount_cents=order.total_cents,
        currency=order.currency,
        state=PaymentState.succeeded,
        succeeded_at=now,
    )
    db.session.add(payment)
    db.session.flush()
    _mark_paid(order, payment, Actor.hub(actor, order), EventKind.marked_paid, now=now)
    db.session.commit()
    order_paid.send(order, by=Actor.hub(actor, order), amount_cents=payment.amount_cents)
    return payment


def _mark_paid(
    order: Order, payment: Payment, by: Actor, kind: EventKind, *, now: datetime
) -> None:
    """The order is paid (the one "mark paid" block: card webhook, paid late, at pickup).

    Under the order's lock: the payment state moves to paid (orders.states), an order awaiting
    its payment is confirmed (its hold ends), the commission is synced (taken by Stripe Connect
    when the payment went through the hub's account, else billed on the statement), one event
    is written. An order cancelled meanwhile stays cancelled (its payment goes back: see
    ``_intent_succeeded``). Flush only; the caller commits.
    """
    move_payment(order, PaymentStatus.paid)
    order.paid_at = now
    if order.status is OrderStatus.pending_payment:
        move_order(order, OrderStatus.confirmed)
        order.hold_expires_at = None
    via = "application_fee" if payment.provider == "stripe" and payment.stripe_account_id else None
    sync_commission(order, collected_via=via or "statement")
    record_event(
        order, kind, by, amount_cents=payment.amount_cents, detail={"method": payment.method}
    )


# --------------------------------------------------------------------------- refunds


def _paid_payment(order: Order) -> Payment | None:
    return db.session.scalar(
        select(Payment)
        .where(Payment.order_id == order.id, Payment.state == PaymentState.succeeded)
        .order_by(Payment.id.desc())
    )


def _refund_kind(order: Order, kind: RefundKind | None) -> RefundKind:
    if kind is not None:
        return kind
    return RefundKind.cancellation if order.status is OrderStatus.cancelled else RefundKind.goodwill


def _apply_refunds(order: Order) -> None:
    """The order's refunded total, payment status and commission after a refund was recorded
    or released (the order row is locked; flush only)."""
    db.session.flush()
    current = money_of(order)
    order.refunded_cents = current.refunded_cents
    target: PaymentStatus | None = None
    if current.refunded_cents > 0:
        target = (
            PaymentStatus.refunded if current.kept_cents <= 0 else PaymentStatus.partially_refunded
        )
    elif order.payment_status in (PaymentStatus.refunded, PaymentStatus.partially_refunded):
        target = PaymentStatus.paid  # the only refund failed: its amount was released
    if target is not None and target != order.payment_status:
        move_payment(order, target)
    sync_commission(order)


def refund_payment(
    order: Order,
    amount_cents: int,
    *,
    reason: str,
    kind: RefundKind | None = None,
    by: Actor | None = None,
) -> Refund:
    """Refund part or all of an order's latest succeeded payment; commits.

    1. Under the order's and the payment's row locks: the amount is checked against what is
       left of the payment (RefundNotPossible: nothing paid, or more than what is left), the
       refund recorded as pending and its amount reserved on the payment
       (``Payment.refunded_cents``; the CHECK ``refunded_cents <= amount_cents`` is the
       backstop), the order's refunded total, payment status and commission updated; commit.
       Concurrent refunds queue on the lock, so together they never exceed the payment.
    2. With no lock held: a card payment is refunded at Stripe (idempotency key of the refund
       row: a retry never refunds twice). Stripe unreachable: the refund stays pending with
       ``last_error``, and ``flask payments retry-refunds`` retries it until done. A payment at
       pickup is given back by the hub: the refund succeeds at once.

    ``kind`` (payments.money): goodwill, line_edit or cancellation; by default cancellation
    for a cancelled order, else goodwill. One ``refunded`` event is written with the refund
    (``by``: who gave it back, the platform by default). Returns the refund (look at its
    ``state``).
    """
    if amount_cents <= 0:
        raise RefundNotPossible()
    locked = lock_order(order.id)
    assert locked is not None
    order = locked
    latest = _paid_payment(order)
    if latest is None:
        db.session.rollback()
        raise RefundNotPossible()
    payment = db.session.get(Payment, latest.id, populate_existing=True, with_for_update=True)
    assert payment is not None
    if amount_cents > payment.amount_cents - payment.refunded_cents:
        db.session.rollback()
        raise RefundNotPossible()
    made = db.session.scalar(select(func.count(Refund.id)).where(Refund.order_id == order.id))
    stripe_refund = payment.provider == "stripe" and bool(payment.stripe_payment_intent_id)
    now = utcnow()
    record = Refund(
        payment_id=payment.id,
        order_id=order.id,
        amount_cents=amount_cents,
        idempotency_key=f"order-{order.id}-refund-{int(made or 0) + 1}",
        reason=reason[:200],
        kind=_refund_kind(order, kind),
        state=RefundState.pending if stripe_refund else RefundState.succeeded,
        succeeded_at=None if stripe_refund else now,
    )
    db.session.add(record)
    record_event(
        order,
        EventKind.refunded,
        by or Actor.system(),
        amount_cents=amount_cents,
        reason=reason,
        detail={"kind": record.kind.value},
    )
    payment.refunded_cents += amount_cents
    _apply_refunds(order)
    db.session.commit()
    if stripe_refund:
        send_refund(record)
    return record


def _find_at_stripe(payment: Payment, refund: Refund) -> str | None:
    """The id of a Stripe refund made for ``refund`` by an earlier attempt whose answer was lost
    (Stripe keeps idempotency keys 24 hours only), or None."""
    listed = stripe_api.client().v1.refunds.list(
        params={"payment_intent": payment.stripe_payment_intent_id, "limit": 100},  # type: ignore[arg-type]
        options=_options(payment),  # type: ignore[arg-type]
    )
    for found in listed.data:
        metadata = found.metadata.to_dict() if found.metadata else {}
        if metadata.get("refund_id") == str(refund.id):
            return str(found.id)
    return None


def send_refund(refund: Refund) -> RefundState:
    """Ask Stripe for a pending refund, with no lock held, and record the answer; commits.

    Stripe unreachable (connection, rate limit, server error): the refund stays pending with
    ``last_error``. Refused for good (an invalid request): the refund is failed and its amount
    released on the payment and the order. Returns the refund's state.
    """
    refund_id = refund.id
    payment = db.session.get(Payment, refund.payment_id)
    assert payment is not None
    if refund.state is not RefundState.pending or not payment.stripe_payment_intent_id:
        return refund.state
    attempted_before = refund.attempts > 0
    params: dict[str, Any] = {
        "payment_intent": payment.stripe_payment_intent_id,
        "amount": refund.amount_cents,
        "metadata": {
            "order_id": str(refund.order_id),
            "refund_id": str(refund.id),
            "reason": refund.reason[:200],
        },
    }
    db.session.commit()  # no lock held while Stripe is called
    error: stripe.StripeError | None = None
    stripe_id: str | None = None
    try:
        if attempted_before:
            stripe_id = _find_at_stripe(payment, refund)
        if stripe_id is None:
            made = stripe_api.client().v1.refunds.create(
                params=params,  # type: ignore[arg-type]
                options=_options(payment, refund.idempotency_key),  # type: ignore[arg-type]
            )
            stripe_id = made.id
    except stripe.StripeError as exc:
        log.warning("refund %s of order %s failed: %s", refund_id, refund.order_id, exc)
        error = exc
    order = lock_order(refund.order_id)
    assert order is not None
    locked = db.session.get(Refund, refund_id, populate_existing=True, with_for_update=True)
    assert locked is not None
    if locked.state is not RefundState.pending:  # another run recorded it meanwhile
        db.session.commit()
        return locked.state
    locked.attempts += 1
    if error is None:
        locked.state = RefundState.succeeded
        locked.stripe_refund_id = stripe_id
        locked.succeeded_at = utcnow()
        locked.last_error = ""
    elif isinstance(error, stripe.InvalidRequestError):
        locked.state = RefundState.failed
        locked.last_error = payables.stripe_message(error)
        paid = db.session.get(
            Payment, locked.payment_id, populate_existing=True, with_for_update=True
        )
        assert paid is not None
        paid.refunded_cents -= locked.amount_cents
        _apply_refunds(order)
    else:
        locked.last_error = payables.stripe_message(error)
    db.session.commit()
    return locked.state


def retry_pending_refunds(*, limit: int = 100) -> dict[str, int]:
    """Send the pending refunds again, oldest first, each in its own transaction (``flask
    payments retry-refunds``, run by the scheduler every few minutes). Returns how many are now
    succeeded, failed and still pending."""
    ids = list(
        db.session.scalars(
            select(Refund.id)
            .where(Refund.state == RefundState.pending)
            .order_by(Refund.id)
            .limit(limit)
        )
    )
    db.session.commit()
    counts = {state.value: 0 for state in RefundState}
    for refund_id in ids:
        refund = db.session.get(Refund, refund_id)
        if refund is None:
            continue
        counts[send_refund(refund).value] += 1
    return counts


# --------------------------------------------------------------------------- balances (back office)

#: the reason recorded with the refund a line edit makes (its kind is RefundKind.line_edit)
ADJUSTMENT_REASON = "order changed by the hub"


def refundable_cents(order: Order) -> int:
    """What ``refund_payment`` can still give back (on the latest succeeded payment)."""
    payment = _paid_payment(order)
    if payment is None:
        return 0
    return payment.amount_cents - payment.refunded_cents


def record_balance_payment(order: Order, *, method: str, actor: User | None) -> Payment:
    """Record the balance paid at pickup after a line edit made a paid order dearer; commit once.

    Locks the order; the amount is the balance due at that moment, so a double submission finds
    nothing left to pay and returns the payment just recorded. Syncs the commission.
    Raises PaymentNotPossible for a cancelled order, an unknown method or no balance due.
    """
    if method not in MANUAL_METHODS:
        raise PaymentNotPossible()
    locked = lock_order(order.id)
    assert locked is not None
    order = locked
    if order.status is OrderStatus.cancelled:
        raise PaymentNotPossible()
    money = money_of(order)
    if money.balance_due_cents <= 0:
        db.session.commit()
        last = _paid_payment(order)
        if last is None:
            raise PaymentNotPossible()
        return last
    payment = Payment(
        order_id=order.id,
        provider="manual",
        method=method,
        idempotency_key=f"order-{order.id}-balance-{money.paid_cents}",
        amount_cents=money.balance_due_cents,
        currency=order.currency,
        state=PaymentState.succeeded,
        succeeded_at=utcnow(),
    )
    db.session.add(payment)
    db.session.flush()
    sync_commission(order, collected_via="statement")
    record_event(
        order,
        EventKind.balance_paid,
        Actor.hub(actor, order),
        amount_cents=payment.amount_cents,
        detail={"method": method},
    )
    db.session.commit()
    log.info("order %s: balance recorded by user %s", order.id, actor.id if actor else None)
    return payment


# --------------------------------------------------------------------------- webhook


def handle_stripe_event(event: dict[str, Any]) -> str:
    """Record a verified event once and apply it; commit once. Returns what was done.

    A replayed event hits the unique ``event_id`` and is a no-op ("duplicate"). Unknown types
    are recorded and ignored ("ignored").
    """
    record = StripeEvent(event_id=str(event["id"]), type=str(event["type"]), payload=_plain(event))
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        db.session.commit()
        return "duplicate"
    handler = _DISPATCH.get(record.type)
    after: AfterCommit | None = None
    outcome = "ignored"
    if handler is not None:
        after = handler(record.type, event["data"]["object"])
        outcome = "processed"
    record.processed_at = utcnow()
    db.session.commit()
    if after is not None:
        try:
            after()
        except Exception:  # noqa: BLE001 - the event is recorded; the side effect is logged
            log.exception("after-commit action of event %s failed", record.event_id)
    return outcome


def _plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


@dataclass
class OrderCharge:
    """What an order's PaymentIntent pays: the order and its card Payment, both locked."""

    order: Order
    payment: Payment


class OrderPayable:
    """An order as a payable (payments.payables): its card Payment is what an intent pays."""

    kind = "order"

    def lock(self, intent: Mapping[str, Any]) -> OrderCharge | None:
        payment = db.session.scalar(
            select(Payment).where(Payment.stripe_payment_intent_id == intent["id"])
        )
        if payment is None:
            order_id = (intent.get("metadata") or {}).get("order_id")
            if order_id and str(order_id).isdigit():
                payment = db.session.scalar(
                    select(Payment).where(Payment.idempotency_key == f"order-{int(order_id)}")
                )
        if payment is None:
            return None
        charge = _lock_charge(payment.id)
        if charge.payment.stripe_payment_intent_id is None:
            charge.payment.stripe_payment_intent_id = intent["id"]
        return charge

    def expected(self, record: OrderCharge) -> tuple[int, str]:
        return record.payment.amount_cents, record.payment.currency

    def mismatch(self, record: OrderCharge, message: str) -> None:
        record.payment.last_error = message

    def succeeded(self, record: OrderCharge, intent: Mapping[str, Any]) -> AfterCommit | None:
        return _intent_succeeded(record.order, record.payment, intent)

    def failed(self, record: OrderCharge, message: str) -> None:
        payment = record.payment
        if payment.state is not PaymentState.succeeded:
            payment.state = PaymentState.failed
            payment.last_error = message
            record_event(record.order, EventKind.payment_failed, Actor.stripe(), reason=message)

    def canceled(self, record: OrderCharge) -> None:
        if record.payment.state is not PaymentState.succeeded:
            record.payment.state = PaymentState.cancelled

    def progressed(self, record: OrderCharge, status: str) -> None:
        if record.payment.state not in (PaymentState.succeeded, PaymentState.failed):
            record.payment.state = _STATE_FROM_STRIPE.get(status, PaymentState.processing)


ORDER = OrderPayable()
payables.register(ORDER)


def _lock_charge(payment_id: int) -> OrderCharge:
    """Lock the order, then its payment (the order's lock comes first, as everywhere)."""
    payment = db.session.get(Payment, payment_id)
    assert payment is not None
    order = lock_order(payment.order_id)
    assert order is not None
    payment = db.session.get(Payment, payment_id, populate_existing=True, with_for_update=True)
    assert payment is not None
    return OrderCharge(order, payment)


def apply_succeeded_intent(payment_id: int, intent: dict[str, Any]) -> None:
    """A PaymentIntent Stripe says succeeded, read outside the webhook (an expiring hold):
    applied as the webhook would, under the order's lock; commit; then its after-commit step."""
    after = payables.apply(ORDER, _lock_charge(payment_id), "payment_intent.succeeded", intent)
    db.session.commit()
    if after is not None:
        after()


def _intent_succeeded(
    order: Order, payment: Payment, intent: Mapping[str, Any]
) -> AfterCommit | None:
    """Paid (amount and currency already checked against the payment by payments.payables)."""
    if payment.succeeded_at is not None:
        return None  # another event for the same intent already did it
    amount, _currency = payables.paid_amount(intent)
    now = utcnow()
    payment.state = PaymentState.succeeded
    payment.succeeded_at = now
    payment.last_error = ""
    if order.status is OrderStatus.cancelled:
        # paid after its hold expired or after a cancellation: the one cancel path, after the
        # commit, gives the money back (order_cancelled → refund)
        _mark_paid(order, payment, Actor.stripe(), EventKind.paid, now=now)
        order_id = order.id

        def cancel_late_payment() -> None:
            late = db.session.get(Order, order_id)
            if late is not None:
                cancel_order(late, by=Actor.stripe(), reason="paid after cancellation")

        return cancel_late_payment
    if amount != order.total_cents:
        payment.last_error = "amount differs from the order total"
        log.error("order %s: paid %s, total %s", order.id, amount, order.total_cents)
        return None
    _mark_paid(order, payment, Actor.stripe(), EventKind.paid, now=now)
    queue_order_confirmation(order)
    order_id, amount_paid = order.id, payment.amount_cents

    def say_paid() -> None:
        paid = db.session.get(Order, order_id)
        if paid is not None:
            order_paid.send(paid, by=Actor.stripe(), amount_cents=amount_paid)

    return say_paid


#: every PaymentIntent event goes to the payable its metadata names (payments.payables)
_on_payment_intent = payables.on_payment_intent

_DISPATCH: dict[str, Callable[[str, dict[str, Any]], AfterCommit | None]] = {
    "account.updated": connect.apply_account_update,
    "payment_intent.succeeded": _on_payment_intent,
    "payment_intent.payment_failed": _on_payment_intent,
    "payment_intent.canceled": _on_payment_intent,
    "payment_intent.processing": _on_payment_intent,
    "payment_intent.requires_action": _on_payment_intent,
}


def construct_event(payload: bytes, signature: str | None) -> dict[str, Any]:
    """Verify the signature on the raw body (raises ValueError / SignatureVerificationError)."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET") or ""
    if not secret:
        raise ValueError("STRIPE_WEBHOOK_SECRET is not set")
    event = stripe.Webhook.construct_event(payload, signature, secret)
    return event.to_dict()
