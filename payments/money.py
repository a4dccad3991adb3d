"""The money of an order, defined once: paid, refunded, kept, sold, balance due, net sold.

Everything that shows or counts an order's money (back office, pickup list, e-mails, reports,
dashboard, territorial figures, commission and statements) reads it from here, either for one
order (:class:`OrderMoney`, :func:`money_of`, :func:`money_of_orders`) or as SQL columns for
many orders in one aggregated query (:func:`money_columns`). The formulas are written once
(the functions below take either Python integers or SQL expressions), so both give the same
figures (tests/integration/payments/test_money.py checks it on PostgreSQL).

From the stored facts of an order:
- ``total``: ``Order.total_cents``, the goods' price after the hub's line edits;
- ``paid``: the succeeded payments (online and recorded at pickup, balances included);
- the refunds by kind (``payments.models.RefundKind``), pending ones included (they are decided
  and retried until Stripe takes them): ``goodwill`` (missing or damaged goods), ``line_edit``
  (an overpayment given back after a line edit), ``cancellation``;

the figures are:
- **refunded** = every refund;
- **kept** = paid − refunded (what the hub holds);
- **sold** = total − goodwill refunds, 0 for a cancelled order (what the goods were sold for:
  a line edit already lowered the total, so its refund is not taken twice; a goodwill refund
  lowers the price, a cancellation sells nothing);
- **balance due** = max(0, sold − kept) (still to pay at pickup);
- **overpaid** = max(0, kept − sold) (to give back: after a line edit made a paid order
  cheaper, or everything left when an order is cancelled);
- **net sold** = sold − balance due = min(sold, kept): what was paid and kept for the goods,
  the base of the 1 % commission (payments.commission) and so of the hub's monthly sales.

Which orders count in sales figures (reports, dashboard, territories): ``COUNTED``, confirmed or
collected; cancelled orders and orders still waiting for their card payment are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from sqlalchemy import Select, Subquery, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from core.db import db
from orders.models import Order, OrderStatus
from payments.models import Payment, PaymentState, Refund, RefundKind, RefundState

#: the orders counted in sales figures: confirmed and collected
COUNTED = (OrderStatus.confirmed, OrderStatus.collected)

Sql = ColumnElement[Any]
Amount = TypeVar("Amount", int, Sql)
AnySelect = TypeVar("AnySelect", bound=Select)


# --------------------------------------------------------------------------- the formulas


@overload
def _not_below_zero(x: int) -> int: ...
@overload
def _not_below_zero(x: Sql) -> Sql: ...
def _not_below_zero(x: int | Sql) -> int | Sql:
    if isinstance(x, int):
        return max(0, x)
    return case((x > 0, x), else_=0)


@overload
def _zero_if(condition: bool, x: int) -> int: ...
@overload
def _zero_if(condition: ColumnElement[bool], x: Sql) -> Sql: ...
def _zero_if(condition: bool | ColumnElement[bool], x: int | Sql) -> int | Sql:
    if isinstance(condition, bool):
        return 0 if condition else x
    return case((condition, 0), else_=x)


def kept(paid: Amount, refunded: Amount) -> Amount:
    return paid - refunded


def balance_due(sold: Amount, kept: Amount) -> Amount:
    return _not_below_zero(sold - kept)


def overpaid(sold: Amount, kept: Amount) -> Amount:
    return _not_below_zero(kept - sold)


def net_sold(sold: Amount, kept: Amount) -> Amount:
    return sold - balance_due(sold, kept)


# --------------------------------------------------------------------------- one order


@dataclass(frozen=True)
class OrderMoney:
    """The money of one order (the module docstring defines every figure)."""

    total_cents: int
    cancelled: bool
    paid_cents: int
    goodwill_refunds_cents: int = 0
    line_edit_refunds_cents: int = 0
    cancellation_refunds_cents: int = 0
    #: refunds not yet taken by Stripe (included in the kinds above)
    pending_refunds_cents: int = 0

    @property
    def refunded_cents(self) -> int:
        return (
            self.goodwill_refunds_cents
            + self.line_edit_refunds_cents
            + self.cancellation_refunds_cents
        )

    @property
    def kept_cents(self) -> int:
        return kept(self.paid_cents, self.refunded_cents)

    @property
    def sold_cents(self) -> int:
        return _zero_if(self.cancelled, self.total_cents - self.goodwill_refunds_cents)

    @property
    def balance_due_cents(self) -> int:
        return balance_due(self.sold_cents, self.kept_cents)

    @property
    def overpaid_cents(self) -> int:
        return overpaid(self.sold_cents, self.kept_cents)

    @property
    def net_sold_cents(self) -> int:
        return net_sold(self.sold_cents, self.kept_cents)


# --------------------------------------------------------------------------- many orders (SQL)


@dataclass(frozen=True)
class MoneyColumns:
    """The money of many orders as SQL columns over ``Order``.

    ``stmt = money.join(select(Order.number, money.paid, money.balance_due).where(...))``: the
    two grouped subqueries (payments, refunds) are restricted to the orders the caller asked
    for, and outer-joined to ``Order``, so a report stays one query whatever its size.
    """

    payments: Subquery
    refunds: Subquery

    def join(self, stmt: AnySelect) -> AnySelect:
        return stmt.outerjoin(self.payments, self.payments.c.order_id == Order.id).outerjoin(
            self.refunds, self.refunds.c.order_id == Order.id
        )

    @property
    def paid(self) -> Sql:
        return func.coalesce(self.payments.c.paid, 0)

    @property
    def goodwill(self) -> Sql:
        return func.coalesce(self.refunds.c.goodwill, 0)

    @property
    def line_edit(self) -> Sql:
        return func.coalesce(self.refunds.c.line_edit, 0)

    @property
    def cancellation(self) -> Sql:
        return func.coalesce(self.refunds.c.cancellation, 0)

    @property
    def pending(self) -> Sql:
        return func.coalesce(self.refunds.c.pending, 0)

    @property
    def refunded(self) -> Sql:
        return func.coalesce(self.refunds.c.refunded, 0)

    @property
    def kept(self) -> Sql:
        return kept(self.paid, self.refunded)

    @property
    def sold(self) -> Sql:
        return _zero_if(Order.status == OrderStatus.cancelled, Order.total_cents - self.goodwill)

    @property
    def balance_due(self) -> Sql:
        return balance_due(self.sold, self.kept)

    @property
    def overpaid(self) -> Sql:
        return overpaid(self.sold, self.kept)

    @property
    def net_sold(self) -> Sql:
        return net_sold(self.sold, self.kept)


def _sum_of(kind: RefundKind) -> Sql:
    return func.sum(case((Refund.kind == kind, Refund.amount_cents), else_=0))


def money_columns(*orders: ColumnElement[bool]) -> MoneyColumns:
    """The money of the orders matching ``orders`` (conditions on ``Order``), as SQL columns.

    Failed refunds (Stripe refused them for good) gave nothing back: they are left out.
    """
    payments = (
        select(Payment.order_id, func.sum(Payment.amount_cents).label("paid"))
        .join(Order, Order.id == Payment.order_id)
        .where(*orders, Payment.state == PaymentState.succeeded)
        .group_by(Payment.order_id)
        .subquery("order_paid")
    )
    refunds = (
        select(
            Refund.order_id,
            func.sum(Refund.amount_cents).label("refunded"),
            _sum_of(RefundKind.goodwill).label("goodwill"),
            _sum_of(RefundKind.line_edit).label("line_edit"),
            _sum_of(RefundKind.cancellation).label("cancellation"),
            func.sum(
                case((Refund.state == RefundState.pending, Refund.amount_cents), else_=0)
            ).label("pending"),
        )
        .join(Order, Order.id == Refund.order_id)
        .where(*orders, Refund.state != RefundState.failed)
        .group_by(Refund.order_id)
        .subquery("order_refunds")
    )
    return MoneyColumns(payments, refunds)


def money_of_orders(order_ids: Iterable[int]) -> dict[int, OrderMoney]:
    """{order_id: OrderMoney} in one query (list pages, the pickup list, e-mail batches)."""
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    money = money_columns(Order.id.in_(ids))
    rows = db.session.execute(
        money.join(
            select(
                Order.id,
                Order.total_cents,
                Order.status,
                money.paid,
                money.goodwill,
                money.line_edit,
                money.cancellation,
                money.pending,
            )
        ).where(Order.id.in_(ids))
    ).all()
    return {
        order_id: OrderMoney(
            total_cents=int(total),
            cancelled=status is OrderStatus.cancelled,
            paid_cents=int(paid),
            goodwill_refunds_cents=int(goodwill),
            line_edit_refunds_cents=int(line_edit),
            cancellation_refunds_cents=int(cancellation),
            pending_refunds_cents=int(pending),
        )
        for order_id, total, status, paid, goodwill, line_edit, cancellation, pending in rows
    }


def money_of(order: Order) -> OrderMoney:
    """The money of one order, as stored now (the session is flushed first)."""
    return money_of_orders([order.id])[order.id]
