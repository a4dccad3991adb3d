"""The order's states and the legal moves between them, written once.

An order has two states: its own (``OrderStatus``: awaiting payment, confirmed, collected,
cancelled) and its payment's (``PaymentStatus``: unpaid, pending, paid, partially refunded,
refunded). Each legal move is a row of ``ORDER_TRANSITIONS`` / ``PAYMENT_TRANSITIONS``; every
service changes a state through ``move_order`` / ``move_payment``, which refuse any other move
with ``IllegalTransition`` (a domain error: nothing is written). ``None`` is the state of an order
being placed. The labels people read live here too, beside their enum, translated.

The table (docs/architecture.md, "Order lifecycle"):

    order:   placed → awaiting payment (card) | confirmed (at pickup)
             awaiting payment → confirmed (paid) | cancelled (cancelled, hold expired)
             confirmed → collected | cancelled;  collected → confirmed (hand-over undone)
    payment: placed → unpaid (at pickup) | pending (card)
             pending → paid | unpaid (order cancelled before paying);  unpaid → paid
             paid | partially refunded → partially refunded | refunded
             partially refunded | refunded → paid | partially refunded (a refund Stripe
             refused for good: its amount is released, payments.services.send_refund)
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from flask_babel import lazy_gettext as _l

from core.errors import DomainError

if TYPE_CHECKING:
    from orders.models import Order


E = TypeVar("E", bound=StrEnum)


class OrderStatus(StrEnum):
    """The order's life. Names are stored: never rename members."""

    #: placed with online payment, stock held until paid or the hold expires
    pending_payment = "pending_payment"
    #: paid online, or placed to pay at pickup
    confirmed = "confirmed"
    #: handed over to the citizen
    collected = "collected"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return str(ORDER_STATUS_LABELS[self])


class PaymentMethod(StrEnum):
    card = "card"
    at_pickup = "at_pickup"

    @property
    def label(self) -> str:
        return str(PAYMENT_METHOD_LABELS[self])


class PaymentStatus(StrEnum):
    """The order's money. Names are stored: never rename members (``pending``: processing)."""

    unpaid = "unpaid"
    pending = "pending"
    paid = "paid"
    partially_refunded = "partially_refunded"
    refunded = "refunded"

    @property
    def label(self) -> str:
        return str(PAYMENT_STATUS_LABELS[self])


#: the labels, lazily translated; keyed by member (a member is equal to its stored name)
ORDER_STATUS_LABELS = {
    OrderStatus.pending_payment: _l("Awaiting payment"),
    OrderStatus.confirmed: _l("Confirmed"),
    OrderStatus.collected: _l("Collected"),
    OrderStatus.cancelled: _l("Cancelled"),
}
PAYMENT_STATUS_LABELS = {
    PaymentStatus.unpaid: _l("Unpaid"),
    PaymentStatus.pending: _l("Payment pending"),
    PaymentStatus.paid: _l("Paid"),
    PaymentStatus.partially_refunded: _l("Partially refunded"),
    PaymentStatus.refunded: _l("Refunded"),
}
PAYMENT_METHOD_LABELS = {
    PaymentMethod.card: _l("Card (online)"),
    PaymentMethod.at_pickup: _l("At pickup"),
}


def payment_label(status: PaymentStatus, method: PaymentMethod) -> str:
    """The payment state as the citizen reads it: an unpaid order to pay at pickup says so."""
    if status is PaymentStatus.unpaid and method is PaymentMethod.at_pickup:
        return str(_l("To pay at pickup"))
    return status.label


#: every legal move of the order's own state (None: the order being placed)
ORDER_TRANSITIONS: frozenset[tuple[OrderStatus | None, OrderStatus]] = frozenset(
    {
        (None, OrderStatus.pending_payment),
        (None, OrderStatus.confirmed),
        (OrderStatus.pending_payment, OrderStatus.confirmed),
        (OrderStatus.pending_payment, OrderStatus.cancelled),
        (OrderStatus.confirmed, OrderStatus.collected),
        (OrderStatus.confirmed, OrderStatus.cancelled),
        (OrderStatus.collected, OrderStatus.confirmed),
    }
)

#: every legal move of the order's payment state (None: the order being placed)
PAYMENT_TRANSITIONS: frozenset[tuple[PaymentStatus | None, PaymentStatus]] = frozenset(
    {
        (None, PaymentStatus.unpaid),
        (None, PaymentStatus.pending),
        (PaymentStatus.pending, PaymentStatus.paid),
        (PaymentStatus.pending, PaymentStatus.unpaid),
        (PaymentStatus.unpaid, PaymentStatus.paid),
        (PaymentStatus.paid, PaymentStatus.partially_refunded),
        (PaymentStatus.paid, PaymentStatus.refunded),
        (PaymentStatus.partially_refunded, PaymentStatus.partially_refunded),
        (PaymentStatus.partially_refunded, PaymentStatus.refunded),
        # a refund Stripe refused for good releases its amount (payments.services.send_refund)
        (PaymentStatus.partially_refunded, PaymentStatus.paid),
        (PaymentStatus.refunded, PaymentStatus.partially_refunded),
        (PaymentStatus.refunded, PaymentStatus.paid),
    }
)


class IllegalTransition(DomainError):
    code = "illegal_transition"
    message = _l("This order cannot change that way in its current state.")


def can_move_order(current: OrderStatus | None, target: OrderStatus) -> bool:
    return (current, target) in ORDER_TRANSITIONS


def can_move_payment(current: PaymentStatus | None, target: PaymentStatus) -> bool:
    return (current, target) in PAYMENT_TRANSITIONS


def _current(value: E | None, enum: type[E]) -> E | None:
    # a new Order() has no state yet (None: the column default applies at INSERT)
    return enum(value) if value is not None else None


def move_order(order: Order, target: OrderStatus) -> None:
    """Set the order's state; raises IllegalTransition for a move the table does not list."""
    current = _current(order.status, OrderStatus)
    if not can_move_order(current, target):
        raise IllegalTransition(fields={"from": current, "to": target.value})
    order.status = target


def move_payment(order: Order, target: PaymentStatus) -> None:
    """Set the payment state; raises IllegalTransition for a move the table does not list."""
    current = _current(order.payment_status, PaymentStatus)
    if not can_move_payment(current, target):
        raise IllegalTransition(fields={"from": current, "to": target.value})
    order.payment_status = target
