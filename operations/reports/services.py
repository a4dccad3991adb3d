"""The reports of one order cycle, computed with a few grouped SQL queries each.

Every report is a ``Report``: columns, rows of raw values (text, integer cents, grams), total
rows and notes. The same object is written as HTML, CSV or PDF (operations.reports.render).
The number of queries of a report does not depend on the number of orders: rows come from
SQLAlchemy Core selects with joins and GROUP BY, never from loading Order objects one by one.

Rules shared by every report (docs/reports.md):
- only the orders that count are in: confirmed and collected; cancelled orders and orders still
  waiting for their online payment (stock held, not yet an order the hub must prepare) are out;
- money is in integer cents, VAT included; a sold-by-weight line is charged on its packed weight
  when known, else on its estimated weight; the hub fee of a line is computed as orders.pricing
  does (rounded half up once per line);
- an order's paid, refunded, sold and balance due come from payments.money (one definition
  for every figure of the platform); refunds lower what was collected (payments report) and
  the commission (the ledger); they are not apportioned to producers: when a product was
  missing the hub edits the line, which lowers the producer's total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any

from flask_babel import format_datetime, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, text
from sqlalchemy.sql.elements import ColumnElement

from core.db import db, on_postgresql
from core.timeutils import to_local
from cycles.models import OrderCycle, PickupSlot, PickupWindow
from enterprises.models import Enterprise
from hubs.models import DistributionPoint
from orders.models import Order, OrderLine
from payments.models import CommissionEntry, Payment, PaymentState, Refund, RefundState
from payments.money import COUNTED, money_columns

TEXT, INT, MONEY, WEIGHT, BLANK = "text", "int", "money", "weight", "blank"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT
    #: relative width in the PDF table
    width: float = 1.0
    #: HTML/PDF show the value only when it changes from the row above (grouping)
    group: bool = False


@dataclass
class Report:
    name: str
    title: str
    columns: list[Column]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    totals: list[tuple[Any, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    landscape: bool = False


@dataclass(frozen=True)
class ReportKind:
    name: str
    title: Any
    description: Any
    build: Callable[[OrderCycle], Report]


# --------------------------------------------------------------------------- helpers


def _run(stmt: Any) -> list[Any]:
    """Run a column query on the session's connection and fetch every row at once: the rows
    are plain tuples, so the ORM's result processing (entity loading, identity map) is
    skipped, and the driver reads them in one call rather than one call a row; on a
    5,000-order cycle that is half the time spent reading rows."""
    return list(db.session.connection().execute(stmt).all())


def _counted(cycle: OrderCycle) -> list[ColumnElement[bool]]:
    return [Order.cycle_id == cycle.id, Order.status.in_(COUNTED)]


def _grams() -> ColumnElement[Any]:
    """The weight a sold-by-weight line is charged on (orders.pricing.line_weight_g)."""
    return case(
        (
            OrderLine.sold_by_weight,
            func.coalesce(
                OrderLine.final_weight_g, OrderLine.estimated_weight_g * OrderLine.quantity, 0
            ),
        ),
        else_=None,
    )


def _line_fee() -> ColumnElement[Any]:
    """The hub fee inside a line total, rounded half up as orders.pricing.price_line does."""
    grams = func.coalesce(
        OrderLine.final_weight_g, OrderLine.estimated_weight_g * OrderLine.quantity, 0
    )
    return case(
        (OrderLine.sold_by_weight, (OrderLine.hub_fee_cents * grams + 500) // 1000),
        else_=OrderLine.hub_fee_cents * OrderLine.quantity,
    )


def _interval(starts_at: datetime, ends_at: datetime) -> str:
    start, end = to_local(starts_at), to_local(ends_at)
    return f"{format_datetime(start, 'EEE d MMM HH:mm')}–{format_datetime(end, 'HH:mm')}"


def _windows(cycle: OrderCycle) -> dict[int, str]:
    """{window_id: "Sat 28 Nov 09:00–12:00, Point"} in one query."""
    rows = _run(
        select(
            PickupWindow.id, PickupWindow.starts_at, PickupWindow.ends_at, DistributionPoint.name
        )
        .join(DistributionPoint, DistributionPoint.id == PickupWindow.distribution_point_id)
        .where(PickupWindow.cycle_id == cycle.id)
    )
    return {wid: f"{_interval(s, e)}, {name}" for wid, s, e, name in rows}


def _window_order(cycle: OrderCycle) -> dict[int, int]:
    """{window_id: rank}, earliest window first."""
    ids = db.session.scalars(
        select(PickupWindow.id)
        .where(PickupWindow.cycle_id == cycle.id)
        .order_by(PickupWindow.starts_at, PickupWindow.id)
    ).all()
    return {wid: rank for rank, wid in enumerate(ids)}


def _slots(cycle: OrderCycle) -> dict[int, str]:
    rows = _run(
        select(PickupSlot.id, PickupSlot.starts_at, PickupSlot.ends_at)
        .join(PickupWindow, PickupWindow.id == PickupSlot.window_id)
        .where(PickupWindow.cycle_id == cycle.id)
    )
    return {
        sid: f"{format_datetime(to_local(s), 'HH:mm')}–{format_datetime(to_local(e), 'HH:mm')}"
        for sid, s, e in rows
    }


def _method_label(method: str) -> str:
    from operations.backoffice.forms import MANUAL_METHOD_LABELS, METHOD_LABELS

    by_value = {m.value: text for m, text in METHOD_LABELS.items()}
    label = by_value.get(method) or MANUAL_METHOD_LABELS.get(method)
    return str(label) if label else method


def _status_label(status: Any) -> str:
    from operations.backoffice.forms import PAYMENT_STATUS_LABELS

    key = getattr(status, "value", status)
    label = PAYMENT_STATUS_LABELS.get(key) or PAYMENT_STATUS_LABELS.get(status)
    return str(label) if label else str(key)


# --------------------------------------------------------------------------- 1. packing list


def packing_list(cycle: OrderCycle) -> Report:
    """Per customer and order: pickup, and each line (producer, product, quantity, weight)."""
    windows, slots = _windows(cycle), _slots(cycle)
    # the packed weight once entered, else the estimated weight (items × one item's estimate)
    estimated = case(
        (
            OrderLine.sold_by_weight & OrderLine.final_weight_g.is_(None),
            func.coalesce(OrderLine.estimated_weight_g, 0) * OrderLine.quantity,
        ),
        else_=None,
    )
    stmt = (
        select(
            Order.customer_name,
            Order.number,
            Order.pickup_window_id,
            Order.pickup_slot_id,
            Enterprise.name,
            OrderLine.product_name + " – " + OrderLine.variant_name,
            OrderLine.quantity,
            OrderLine.final_weight_g,
            estimated,
        )
        .select_from(Order)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Enterprise, Enterprise.id == OrderLine.producer_id)
        .where(*_counted(cycle))
        .order_by(
            Order.customer_name,
            Order.number,
            Enterprise.name,
            OrderLine.product_name,
            OrderLine.variant_name,
            OrderLine.id,
        )
    )
    found = _run(stmt)
    # the pickup label once per (window, slot); rows assembled column-wise, at C speed
    pickups: dict[tuple[Any, Any], str] = {}
    for window_id, slot_id in {(r[2], r[3]) for r in found}:
        label = windows.get(window_id, "")
        if slot_id is not None and slot_id in slots:
            label = f"{label} ({slots[slot_id]})"
        pickups[(window_id, slot_id)] = label
    column = [list(map(itemgetter(i), found)) for i in range(9)]
    pickup = list(map(pickups.__getitem__, zip(column[2], column[3], strict=True)))
    rows = list(zip(*column[:2], pickup, *column[4:], strict=True))
    orders = len(set(column[1]))
    quantity = sum(column[6])
    return Report(
        name="packing",
        title=_("Packing list by customer"),
        columns=[
            Column(_("Customer"), width=1.3, group=True),
            Column(_("Order"), width=0.9, group=True),
            Column(_("Pickup"), width=1.8, group=True),
            Column(_("Producer"), width=1.2),
            Column(_("Product – variant"), width=2.2),
            Column(_("Quantity"), INT, 0.6),
            Column(_("Final weight (kg)"), WEIGHT, 0.7),
            Column(_("Estimated weight (kg)"), WEIGHT, 0.7),
        ],
        rows=rows,
        totals=[(_("Total"), _("%(n)d orders", n=orders), "", "", "", quantity, None, None)],
        notes=[
            _(
                "Sold-by-weight lines: the packed weight once entered, otherwise the estimated "
                "weight (items × estimated weight of one item)."
            )
        ],
        landscape=True,
    )


# --------------------------------------------------------------------------- 2. supplier totals


def supplier_totals(cycle: OrderCycle) -> Report:
    """Per producer and variant: quantity, weight, sales, hub fee and what the producer is owed."""
    producer = Enterprise.name.label("producer")
    stmt = (
        select(
            Enterprise.id,
            producer,
            OrderLine.product_name,
            OrderLine.variant_name,
            func.sum(OrderLine.quantity),
            func.sum(_grams()),
            func.sum(OrderLine.line_total_cents),
            func.sum(_line_fee()),
        )
        .select_from(Order)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Enterprise, Enterprise.id == OrderLine.producer_id)
        .where(*_counted(cycle))
        .group_by(Enterprise.id, Enterprise.name, OrderLine.product_name, OrderLine.variant_name)
        .order_by(Enterprise.name, Enterprise.id, OrderLine.product_name, OrderLine.variant_name)
    )
    rows: list[tuple[Any, ...]] = []
    per_producer: dict[int, list[Any]] = {}
    for pid, name, product, variant, qty, grams, sales, fee in _run(stmt):
        qty, sales, fee = int(qty), int(sales), int(fee)
        grams = int(grams) if grams is not None else None
        rows.append((name, f"{product} – {variant}", qty, grams, sales, fee, sales - fee))
        acc = per_producer.setdefault(pid, [name, 0, 0, 0])
        acc[1] += sales
        acc[2] += fee
        acc[3] += sales - fee
    totals: list[tuple[Any, ...]] = [
        (_("Total %(producer)s", producer=n), "", None, None, s, f, o)
        for n, s, f, o in per_producer.values()
    ]
    totals.append(
        (
            _("Total"),
            "",
            sum(r[2] for r in rows),
            None,
            sum(r[4] for r in rows),
            sum(r[5] for r in rows),
            sum(r[6] for r in rows),
        )
    )
    return Report(
        name="suppliers",
        title=_("Supplier totals"),
        columns=[
            Column(_("Producer"), width=1.4, group=True),
            Column(_("Product – variant"), width=2.2),
            Column(_("Quantity"), INT, 0.6),
            Column(_("Weight (kg)"), WEIGHT, 0.7),
            Column(_("Sales"), MONEY, 0.9),
            Column(_("Hub fee"), MONEY, 0.9),
            Column(_("Owed to the producer"), MONEY, 1.0),
        ],
        rows=rows,
        totals=totals,
        notes=[
            _(
                "Amounts include VAT. Owed to the producer = sales − hub fee (the producer's "
                "prices, VAT included). Refunds made by the hub are not deducted here: a missing "
                "product is removed by editing the order's line, which lowers this total."
            )
        ],
        landscape=True,
    )


# --------------------------------------------------------------------------- 3. totals by product


def product_totals(cycle: OrderCycle) -> Report:
    """Per variant (all customers): quantity, weight and sales."""
    stmt = (
        select(
            OrderLine.product_name,
            OrderLine.variant_name,
            Enterprise.name,
            func.sum(OrderLine.quantity),
            func.sum(_grams()),
            func.sum(OrderLine.line_total_cents),
        )
        .select_from(Order)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Enterprise, Enterprise.id == OrderLine.producer_id)
        .where(*_counted(cycle))
        .group_by(OrderLine.product_name, OrderLine.variant_name, Enterprise.id, Enterprise.name)
        .order_by(OrderLine.product_name, OrderLine.variant_name, Enterprise.name)
    )
    rows = [
        (
            f"{product} – {variant}",
            producer,
            int(qty),
            int(grams) if grams is not None else None,
            int(sales),
        )
        for product, variant, producer, qty, grams, sales in _run(stmt)
    ]
    return Report(
        name="products",
        title=_("Totals by product"),
        columns=[
            Column(_("Product – variant"), width=2.4),
            Column(_("Producer"), width=1.4),
            Column(_("Quantity"), INT, 0.6),
            Column(_("Weight (kg)"), WEIGHT, 0.7),
            Column(_("Sales"), MONEY, 0.9),
        ],
        rows=rows,
        totals=[
            (_("Total"), "", sum(r[2] for r in rows), None, sum(r[4] for r in rows)),
        ],
        notes=[_("Amounts include VAT and the hub fee.")],
    )


# --------------------------------------------------------------------------- 4. payments


def payments(cycle: OrderCycle) -> Report:
    """Per order: method, status, total, paid, refunded, balance due; totals per method."""
    money = money_columns(*_counted(cycle))
    stmt = money.join(
        select(
            Order.number,
            Order.customer_name,
            Order.payment_method,
            Order.payment_status,
            Order.total_cents,
            money.paid,
            money.refunded,
            money.balance_due,
            money.sold,
        )
    )
    stmt = stmt.where(*_counted(cycle)).order_by(Order.number)
    rows = []
    labels: dict[Any, tuple[str, str]] = {}  # translated once per (method, status)
    for number, name, method, status, total, paid_c, refunded, due, sold in _run(stmt):
        label = labels.get((method, status))
        if label is None:
            label = (_method_label(getattr(method, "value", method)), _status_label(status))
            labels[(method, status)] = label
        rows.append(
            (number, name, *label, int(total), int(paid_c), int(refunded), int(due), int(sold))
        )
    # per payment method (cash, cheque, card...): what came in, what went back
    by_method = _run(
        select(Payment.method, func.sum(Payment.amount_cents))
        .join(Order, Order.id == Payment.order_id)
        .where(*_counted(cycle), Payment.state == PaymentState.succeeded)
        .group_by(Payment.method)
        .order_by(Payment.method)
    )
    refunded_by_method = dict(
        _run(
            select(Payment.method, func.sum(Refund.amount_cents))
            .join(Payment, Payment.id == Refund.payment_id)
            .join(Order, Order.id == Refund.order_id)
            .where(*_counted(cycle), Refund.state != RefundState.failed)
            .group_by(Payment.method)
        )
    )
    totals: list[tuple[Any, ...]] = []
    for method, cents in by_method:
        back = int(refunded_by_method.get(method) or 0)
        totals.append(
            (
                _("Total %(method)s", method=_method_label(method)),
                "",
                "",
                "",
                None,
                int(cents),
                back,
                None,
                None,
            )
        )
    totals.append(
        (
            _("Total"),
            "",
            "",
            "",
            sum(r[4] for r in rows),
            sum(r[5] for r in rows),
            sum(r[6] for r in rows),
            sum(r[7] for r in rows),
            sum(r[8] for r in rows),
        )
    )
    return Report(
        name="payments",
        title=_("Payments"),
        columns=[
            Column(_("Order"), width=0.9),
            Column(_("Customer"), width=1.4),
            Column(_("Method"), width=0.9),
            Column(_("Status"), width=1.0),
            Column(_("Total"), MONEY, 0.8),
            Column(pgettext("amount", "Paid"), MONEY, 0.8),
            Column(_("Refunded"), MONEY, 0.8),
            Column(_("Balance due"), MONEY, 0.8),
            Column(_("Sold"), MONEY, 0.8),
        ],
        rows=rows,
        totals=totals,
        notes=[
            _(
                "Paid: succeeded payments (online and recorded at pickup). Refunded: every "
                "refund, those Stripe has not taken yet included. Sold: the total less goodwill "
                "refunds (a refund after a line edit is already out of the total). Balance due: "
                "what was sold less what was paid and kept. The totals per method count the "
                "payments actually received (cash, cheque, card...) and their refunds."
            )
        ],
        landscape=True,
    )


# --------------------------------------------------------------------------- 5. fees


def fees(cycle: OrderCycle) -> Report:
    """Per order: hub fee, the 1 % commission on the order and in the ledger; totals."""
    ledger = (
        select(CommissionEntry.order_id, func.sum(CommissionEntry.amount_cents).label("cents"))
        .join(Order, Order.id == CommissionEntry.order_id)
        .where(*_counted(cycle))
        .group_by(CommissionEntry.order_id)
        .subquery()
    )
    stmt = (
        select(
            Order.number,
            Order.customer_name,
            Order.total_cents,
            Order.refunded_cents,
            Order.hub_fee_cents,
            Order.commission_cents,
            func.coalesce(ledger.c.cents, 0),
        )
        .outerjoin(ledger, ledger.c.order_id == Order.id)
        .where(*_counted(cycle))
        .order_by(Order.number)
    )
    rows = [
        (number, name, int(total), int(refunded), int(fee), int(commission), int(booked))
        for number, name, total, refunded, fee, commission, booked in _run(stmt)
    ]
    totals = [(_("Total"), "", *(sum(r[i] for r in rows) for i in range(2, 7)))]
    return Report(
        name="fees",
        title=_("Hub fees and commission"),
        columns=[
            Column(_("Order"), width=0.9),
            Column(_("Customer"), width=1.5),
            Column(_("Total"), MONEY, 0.8),
            Column(_("Refunded"), MONEY, 0.8),
            Column(_("Hub fee"), MONEY, 0.8),
            Column(_("Commission (1 %)"), MONEY, 0.9),
            Column(_("Commission in the ledger"), MONEY, 0.9),
        ],
        rows=rows,
        totals=totals,
        notes=[
            _(
                "Hub fee: what the hub keeps, included in the order total. Commission: 1 % of what "
                "the citizen paid and kept for the goods, recorded when the order is paid; a "
                "refund reverses its share in the commission ledger."
            )
        ],
        landscape=True,
    )


# --------------------------------------------------------------------------- 6. pickup sign-off


def pickup_sheet(cycle: OrderCycle) -> Report:
    """Per pickup window: customer, order, amount due, and a column to sign."""
    windows, slots, order = _windows(cycle), _slots(cycle), _window_order(cycle)
    money = money_columns(*_counted(cycle))
    stmt = money.join(
        select(
            Order.pickup_window_id,
            Order.pickup_slot_id,
            Order.customer_name,
            Order.number,
            money.balance_due,
        )
    ).where(*_counted(cycle))
    found = _run(stmt)
    found.sort(key=lambda r: (order.get(r[0], len(order)), r[2].casefold(), r[3]))
    rows = []
    due_total = 0
    for window_id, slot_id, name, number, due in found:
        due = int(due)
        due_total += due
        rows.append(
            (
                windows.get(window_id, ""),
                slots.get(slot_id, "") if slot_id else "",
                name,
                number,
                due,
                "",
            )
        )
    return Report(
        name="pickup",
        title=_("Pickup sign-off sheet"),
        columns=[
            Column(_("Pickup window"), width=1.8, group=True),
            Column(_("Slot"), width=0.7),
            Column(_("Customer"), width=1.5),
            Column(_("Order"), width=0.9),
            Column(_("Amount due"), MONEY, 0.8),
            Column(_("Signature"), BLANK, 1.6),
        ],
        rows=rows,
        totals=[(_("Total"), "", _("%(n)d orders", n=len(rows)), "", due_total, "")],
        notes=[_("Amount due: what is left to pay at pickup (0 when paid online).")],
    )


REPORTS: dict[str, ReportKind] = {
    kind.name: kind
    for kind in (
        ReportKind(
            "packing",
            _l("Packing list by customer"),
            _l("Each customer's order with its pickup and lines, to prepare the bags."),
            packing_list,
        ),
        ReportKind(
            "suppliers",
            _l("Supplier totals"),
            _l("What to ask each producer for, and what each producer is owed."),
            supplier_totals,
        ),
        ReportKind(
            "products",
            _l("Totals by product"),
            _l("Quantities and sales of each variant, all customers together."),
            product_totals,
        ),
        ReportKind(
            "payments",
            _l("Payments"),
            _l("Per order: method, status, paid, refunded and balance; totals per method."),
            payments,
        ),
        ReportKind(
            "fees",
            _l("Hub fees and commission"),
            _l("The hub fee and the 1 % commission of each order, and their totals."),
            fees,
        ),
        ReportKind(
            "pickup",
            _l("Pickup sign-off sheet"),
            _l("Per pickup window: customer, order, amount due and a column to sign."),
            pickup_sheet,
        ),
    )
}

FORMATS = ("html", "csv", "pdf")


#: memory PostgreSQL may use for each sort of a report's queries, for this transaction only:
#: the 5,000-order packing list sorts 40,000 lines (about 10 MB), which with the default 4 MB
#: spilled to a merge sort on disk
REPORT_WORK_MEM = "32MB"


def build_report(cycle: OrderCycle, name: str) -> Report:
    """Compute report ``name`` of ``cycle`` (a KeyError for an unknown name)."""
    kind = REPORTS[name]
    if on_postgresql():
        db.session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    return kind.build(cycle)
