"""payments.money: one definition of an order's money, the same in Python and in SQL."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from core.db import db
from orders.models import Order, OrderStatus
from payments.models import Payment, PaymentState, Refund, RefundKind, RefundState
from payments.money import OrderMoney, money_columns, money_of_orders
from tests.factories import OrderCycleFactory, OrderFactory

_keys = itertools.count()


def _order(cycle, total: int, status: OrderStatus = OrderStatus.confirmed) -> Order:
    return OrderFactory(cycle=cycle, total_cents=total, status=status)


def _pay(order: Order, cents: int, state: PaymentState = PaymentState.succeeded) -> Payment:
    payment = Payment(
        order_id=order.id,
        provider="manual",
        method="cash",
        idempotency_key=f"money-pay-{next(_keys)}",
        amount_cents=cents,
        state=state,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def _refund(
    payment: Payment, cents: int, kind: RefundKind, state: RefundState = RefundState.succeeded
) -> None:
    db.session.add(
        Refund(
            payment_id=payment.id,
            order_id=payment.order_id,
            amount_cents=cents,
            idempotency_key=f"money-refund-{next(_keys)}",
            kind=kind,
            state=state,
        )
    )
    payment.refunded_cents += cents if state is not RefundState.failed else 0
    db.session.flush()


def test_each_case_by_hand_and_the_sql_columns_agree_with_python(db_session):
    cycle = OrderCycleFactory()
    cases: dict[str, Order] = {}
    # unpaid at pickup: everything due
    cases["unpaid"] = _order(cycle, 1000)
    # paid, then a goodwill refund: sold less, nothing due (the pickup reminder's bug)
    cases["goodwill"] = _order(cycle, 1000)
    _refund(_pay(cases["goodwill"], 1000), 300, RefundKind.goodwill)
    # paid 1000, a line edit lowered the total to 800 and refunded the 200 overpaid
    cases["edit_down"] = _order(cycle, 800)
    _refund(_pay(cases["edit_down"], 1000), 200, RefundKind.line_edit)
    # paid 1000, a line edit raised the total to 1250: 250 due at pickup
    cases["edit_up"] = _order(cycle, 1250)
    _pay(cases["edit_up"], 1000)
    # an edit down whose refund is still pending at Stripe: counted as refunded already
    cases["pending"] = _order(cycle, 800)
    _refund(_pay(cases["pending"], 1000), 200, RefundKind.line_edit, RefundState.pending)
    # a refund Stripe refused for good gave nothing back
    cases["failed"] = _order(cycle, 1000)
    _refund(_pay(cases["failed"], 1000), 400, RefundKind.goodwill, RefundState.failed)
    # cancelled and refunded in full: sold nothing, owes nothing
    cases["cancelled"] = _order(cycle, 1000, OrderStatus.cancelled)
    _refund(_pay(cases["cancelled"], 1000), 1000, RefundKind.cancellation)
    # cancelled, its refund not made yet: overpaid = what is left to give back
    cases["cancelled_unrefunded"] = _order(cycle, 1000, OrderStatus.cancelled)
    _pay(cases["cancelled_unrefunded"], 1000)
    # a failed card payment is not paid
    cases["card_failed"] = _order(cycle, 1000)
    _pay(cases["card_failed"], 1000, PaymentState.failed)

    expected = {  # refunded, kept, sold, balance due, overpaid, net sold
        "unpaid": (0, 0, 1000, 1000, 0, 0),
        "goodwill": (300, 700, 700, 0, 0, 700),
        "edit_down": (200, 800, 800, 0, 0, 800),
        "edit_up": (0, 1000, 1250, 250, 0, 1000),
        "pending": (200, 800, 800, 0, 0, 800),
        "failed": (0, 1000, 1000, 0, 0, 1000),
        "cancelled": (1000, 0, 0, 0, 0, 0),
        "cancelled_unrefunded": (0, 1000, 0, 0, 1000, 0),
        "card_failed": (0, 0, 1000, 1000, 0, 0),
    }
    by_id = {order.id: name for name, order in cases.items()}
    python = money_of_orders(by_id)

    def figures(m: OrderMoney) -> tuple[int, ...]:
        return (
            m.refunded_cents,
            m.kept_cents,
            m.sold_cents,
            m.balance_due_cents,
            m.overpaid_cents,
            m.net_sold_cents,
        )

    assert {by_id[i]: figures(m) for i, m in python.items()} == expected
    assert python[cases["pending"].id].pending_refunds_cents == 200

    money = money_columns(Order.cycle_id == cycle.id)
    sql = {
        by_id[row[0]]: tuple(int(v) for v in row[1:])
        for row in db.session.execute(
            money.join(
                select(
                    Order.id,
                    money.refunded,
                    money.kept,
                    money.sold,
                    money.balance_due,
                    money.overpaid,
                    money.net_sold,
                )
            ).where(Order.cycle_id == cycle.id)
        )
    }
    assert sql == expected
