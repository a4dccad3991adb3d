"""The lifecycle's transition table, walked exhaustively: every listed move works, every other
move is refused with a domain error and leaves the state as it was."""

from __future__ import annotations

import itertools

import pytest
from flask_babel import force_locale

from core.errors import DomainError
from orders.models import Order
from orders.states import (
    ORDER_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    IllegalTransition,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    move_order,
    move_payment,
)

ORDER_PAIRS = list(itertools.product([None, *OrderStatus], list(OrderStatus)))
PAYMENT_PAIRS = list(itertools.product([None, *PaymentStatus], list(PaymentStatus)))


def test_the_tables_list_the_lifecycle():
    assert ORDER_TRANSITIONS == {
        (None, OrderStatus.pending_payment),
        (None, OrderStatus.confirmed),
        (OrderStatus.pending_payment, OrderStatus.confirmed),
        (OrderStatus.pending_payment, OrderStatus.cancelled),
        (OrderStatus.confirmed, OrderStatus.collected),
        (OrderStatus.confirmed, OrderStatus.cancelled),
        (OrderStatus.collected, OrderStatus.confirmed),
    }
    # a cancelled order never comes back; a refunded payment leaves that state only when a
    # refund Stripe refused for good releases its amount (payments.services.send_refund)
    assert not {t for t in ORDER_TRANSITIONS if t[0] is OrderStatus.cancelled}
    assert {t for t in PAYMENT_TRANSITIONS if t[0] is PaymentStatus.refunded} == {
        (PaymentStatus.refunded, PaymentStatus.partially_refunded),
        (PaymentStatus.refunded, PaymentStatus.paid),
    }
    assert (PaymentStatus.pending, PaymentStatus.paid) in PAYMENT_TRANSITIONS
    assert (PaymentStatus.paid, PaymentStatus.unpaid) not in PAYMENT_TRANSITIONS


@pytest.mark.parametrize(("current", "target"), ORDER_PAIRS)
def test_every_order_move(app_ctx, current, target):
    order = Order(status=current)
    if (current, target) in ORDER_TRANSITIONS:
        move_order(order, target)
        assert order.status is target
    else:
        with pytest.raises(IllegalTransition) as refused:
            move_order(order, target)
        assert isinstance(refused.value, DomainError)
        assert refused.value.code == "illegal_transition"
        assert order.status is current


@pytest.mark.parametrize(("current", "target"), PAYMENT_PAIRS)
def test_every_payment_move(app_ctx, current, target):
    order = Order(payment_status=current)
    if (current, target) in PAYMENT_TRANSITIONS:
        move_payment(order, target)
        assert order.payment_status is target
    else:
        with pytest.raises(IllegalTransition):
            move_payment(order, target)
        assert order.payment_status is current


def test_labels_are_written_once_and_translated(app_ctx):
    with force_locale("fr"):
        assert OrderStatus.pending_payment.label == "En attente de paiement"
        assert OrderStatus.cancelled.label == "Annulée"
        assert PaymentStatus.partially_refunded.label == "Partiellement remboursée"
        order = Order(payment_status=PaymentStatus.unpaid, payment_method=PaymentMethod.at_pickup)
        assert order.payment_label == "À payer au retrait"
    with force_locale("en"):
        assert OrderStatus.pending_payment.label == "Awaiting payment"
        assert PaymentMethod.card.label == "Card (online)"
