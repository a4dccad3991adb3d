"""A producer's order lines, grouped per cycle, with what it is owed (read-only queries).

What the producer sees: the lines of its own products in orders that are confirmed (paid, or to
pay at pickup) or already collected. Orders awaiting a card payment are not counted until paid,
cancelled orders never. The customer appears by name only (never e-mail address nor phone).

What the producer is owed for a line = the line total − the hub's fee on that line (the hub fee
is re-priced from the line's own snapshot through ``orders.pricing``, so sold-by-weight lines use
the packed weight once known). The 1 % support commission is inside the hub's part, not the
producer's.

Every list is built with a fixed number of statements, whatever the number of cycles and lines:
one for the page's cycles (with their hub), one for their windows, points and slots, one for the
lines with their orders.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from core import csvexport
from core.db import db
from core.timeutils import local_to_utc, to_local
from cycles.models import CycleOffer, CycleState, OrderCycle, PickupSlot, PickupWindow
from enterprises.models import Enterprise
from orders import pricing
from orders.models import Order, OrderLine, OrderStatus

#: orders whose lines the producer prepares (and is paid for)
COUNTED_STATUSES = (OrderStatus.confirmed, OrderStatus.collected)
CYCLES_PER_PAGE = 10
#: the states a producer may filter on (a cycle with lines was published and has opened)
STATE_FILTERS = (CycleState.open, CycleState.closed, CycleState.done)


# --------------------------------------------------------------------------- results


@dataclass
class Line:
    """One order line of the producer's, as the producer may see it."""

    order_id: int
    order_number: str
    customer_name: str
    status: OrderStatus
    product_name: str
    variant_name: str
    sku: str
    quantity: int
    sold_by_weight: bool
    #: charged weight in grams (packed if known, else estimated); None when sold per item
    weight_g: int | None
    unit_price_cents: int
    total_cents: int
    hub_fee_cents: int
    #: VAT contained in the line total (orders.pricing.breakdown)
    vat_cents: int = 0
    #: the 1 % support commission on this line, for information: the hub pays it, once per
    #: order (coop.commission), out of its revenue, never out of the producer's part
    commission_cents: int = 0

    @property
    def owed_cents(self) -> int:
        return self.total_cents - self.hub_fee_cents


@dataclass
class VariantTotal:
    """What to bring of one variant, over every order of the cycle."""

    product_name: str
    variant_name: str
    sku: str
    sold_by_weight: bool
    quantity: int = 0
    weight_g: int = 0
    total_cents: int = 0
    hub_fee_cents: int = 0
    vat_cents: int = 0
    commission_cents: int = 0

    @property
    def owed_cents(self) -> int:
        return self.total_cents - self.hub_fee_cents


@dataclass
class CustomerOrder:
    """One customer's order in the cycle, reduced to the producer's lines."""

    order_id: int
    number: str
    customer_name: str
    status: OrderStatus
    window: PickupWindow
    slot: PickupSlot | None
    lines: list[Line] = field(default_factory=list)

    @property
    def pickup_starts_at(self) -> datetime:
        return self.slot.starts_at if self.slot is not None else self.window.starts_at

    @property
    def pickup_ends_at(self) -> datetime:
        return self.slot.ends_at if self.slot is not None else self.window.ends_at


@dataclass
class CycleSummary:
    """The producer's part of one cycle: orders per customer and totals per variant."""

    cycle: OrderCycle
    orders: list[CustomerOrder] = field(default_factory=list)
    variants: list[VariantTotal] = field(default_factory=list)

    @property
    def hub(self) -> Enterprise:
        return self.cycle.hub

    @property
    def total_cents(self) -> int:
        return sum(v.total_cents for v in self.variants)

    @property
    def hub_fee_cents(self) -> int:
        return sum(v.hub_fee_cents for v in self.variants)

    @property
    def vat_cents(self) -> int:
        return sum(v.vat_cents for v in self.variants)

    @property
    def commission_cents(self) -> int:
        return sum(v.commission_cents for v in self.variants)

    @property
    def owed_cents(self) -> int:
        return self.total_cents - self.hub_fee_cents

    @property
    def lines(self) -> list[Line]:
        return [line for order in self.orders for line in order.lines]


@dataclass(frozen=True)
class Filters:
    hub_id: int | None = None
    state: CycleState | None = None
    #: cycles closing on or after this local day
    since: date | None = None
    #: cycles closing on or before this local day
    until: date | None = None


@dataclass
class Page:
    """A page of cycles (the shape ``_macros.pagination`` expects)."""

    items: list[CycleSummary]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# --------------------------------------------------------------------------- queries


def effective_close() -> ColumnElement[datetime]:
    """``OrderCycle.effective_closes_at`` in SQL (an early close before the planned time wins)."""
    return case(
        (OrderCycle.closed_early_at < OrderCycle.closes_at, OrderCycle.closed_early_at),
        else_=OrderCycle.closes_at,
    )


def _counted_lines(producer_id: int) -> Select:
    return (
        select(Order.cycle_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(OrderLine.producer_id == producer_id, Order.status.in_(COUNTED_STATUSES))
    )


def _cycles_query(producer_id: int, filters: Filters, now: datetime) -> Select:
    query = select(OrderCycle).where(OrderCycle.id.in_(_counted_lines(producer_id)))
    if filters.hub_id is not None:
        query = query.where(OrderCycle.hub_id == filters.hub_id)
    closes = effective_close()
    if filters.state is CycleState.open:
        query = query.where(OrderCycle.done_at.is_(None), OrderCycle.opens_at <= now, closes > now)
    elif filters.state is CycleState.closed:
        query = query.where(OrderCycle.done_at.is_(None), closes <= now)
    elif filters.state is CycleState.done:
        query = query.where(OrderCycle.done_at.is_not(None))
    if filters.since is not None:
        query = query.where(closes >= local_to_utc(filters.since, time(0, 0)))
    if filters.until is not None:
        query = query.where(closes < local_to_utc(filters.until + timedelta(days=1), time(0, 0)))
    return query


def _load_cycles(ids_query: Select | Sequence[int]) -> list[OrderCycle]:
    return list(
        db.session.scalars(
            select(OrderCycle)
            .where(OrderCycle.id.in_(ids_query))
            .options(
                joinedload(OrderCycle.hub),
                selectinload(OrderCycle.windows).options(
                    joinedload(PickupWindow.distribution_point), selectinload(PickupWindow.slots)
                ),
            )
            .order_by(effective_close().desc(), OrderCycle.id.desc())
        ).unique()
    )


def _summaries(producer_id: int, cycles: list[OrderCycle]) -> list[CycleSummary]:
    """Group the producer's counted lines of ``cycles`` per cycle, customer and variant."""
    if not cycles:
        return []
    windows = {w.id: w for c in cycles for w in c.windows}
    slots = {s.id: s for w in windows.values() for s in w.slots}
    summaries = {c.id: CycleSummary(cycle=c) for c in cycles}
    rows = db.session.scalars(
        select(OrderLine)
        .join(OrderLine.order)
        .options(contains_eager(OrderLine.order))
        .where(
            OrderLine.producer_id == producer_id,
            Order.cycle_id.in_(summaries),
            Order.status.in_(COUNTED_STATUSES),
        )
        .order_by(Order.cycle_id, func.lower(Order.customer_name), Order.number, OrderLine.id)
    )
    orders: dict[int, CustomerOrder] = {}
    variants: dict[tuple[int, str, str, str], VariantTotal] = {}
    for row in rows:
        order = row.order
        summary = summaries[order.cycle_id]
        customer = orders.get(order.id)
        if customer is None:
            customer = CustomerOrder(
                order_id=order.id,
                number=order.number,
                customer_name=order.customer_name,
                status=order.status,
                window=windows[order.pickup_window_id],
                slot=slots.get(order.pickup_slot_id) if order.pickup_slot_id else None,
            )
            orders[order.id] = customer
            summary.orders.append(customer)
        price = pricing.price_order_line(row)
        parts = pricing.breakdown(row.line_total_cents, price.line_hub_fee_cents, row.vat_rate_bp)
        line = Line(
            order_id=order.id,
            order_number=order.number,
            customer_name=order.customer_name,
            status=order.status,
            product_name=row.product_name,
            variant_name=row.variant_name,
            sku=row.sku,
            quantity=row.quantity,
            sold_by_weight=row.sold_by_weight,
            weight_g=pricing.line_weight_g(row),
            unit_price_cents=row.unit_price_cents,
            total_cents=row.line_total_cents,
            hub_fee_cents=price.line_hub_fee_cents,
            vat_cents=parts.vat_cents,
            commission_cents=parts.commission_cents,
        )
        customer.lines.append(line)
        key = (order.cycle_id, row.product_name, row.variant_name, row.sku)
        total = variants.get(key)
        if total is None:
            total = VariantTotal(
                product_name=row.product_name,
                variant_name=row.variant_name,
                sku=row.sku,
                sold_by_weight=row.sold_by_weight,
            )
            variants[key] = total
            summary.variants.append(total)
        total.quantity += line.quantity
        total.weight_g += line.weight_g or 0
        total.total_cents += line.total_cents
        total.hub_fee_cents += line.hub_fee_cents
        total.vat_cents += line.vat_cents
        total.commission_cents += line.commission_cents
    for summary in summaries.values():
        summary.variants.sort(key=lambda v: (v.product_name.lower(), v.variant_name.lower()))
    return [summaries[c.id] for c in cycles]


def list_cycles(producer: Enterprise, filters: Filters, page: int, now: datetime) -> Page:
    """The producer's cycles with counted lines, newest close first, ``CYCLES_PER_PAGE`` a page."""
    base = _cycles_query(producer.id, filters, now)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, math.ceil(total / CYCLES_PER_PAGE))
    page = min(max(page, 1), pages)
    ids = (
        base.with_only_columns(OrderCycle.id)
        .order_by(effective_close().desc(), OrderCycle.id.desc())
        .limit(CYCLES_PER_PAGE)
        .offset((page - 1) * CYCLES_PER_PAGE)
    )
    cycles = _load_cycles(list(db.session.scalars(ids)))
    return Page(
        items=_summaries(producer.id, cycles), page=page, per_page=CYCLES_PER_PAGE, total=total
    )


def cycle_summary(producer: Enterprise, cycle: OrderCycle) -> CycleSummary:
    """The producer's order list for one cycle (empty when nothing was ordered yet)."""
    cycles = _load_cycles([cycle.id])
    return _summaries(producer.id, cycles)[0]


def summaries_for_cycle(cycle: OrderCycle) -> dict[int, CycleSummary]:
    """Every producer's summary for one cycle, by producer id (producers with counted lines)."""
    producer_ids = list(
        db.session.scalars(
            select(OrderLine.producer_id)
            .join(OrderLine.order)
            .where(Order.cycle_id == cycle.id, Order.status.in_(COUNTED_STATUSES))
            .distinct()
        )
    )
    cycles = _load_cycles([cycle.id])
    return {pid: _summaries(pid, cycles)[0] for pid in sorted(producer_ids)}


def is_producer_cycle(producer: Enterprise, cycle: OrderCycle) -> bool:
    """Whether the producer sells (offers) or sold (lines) in the cycle."""
    offered = select(CycleOffer.id).where(
        CycleOffer.cycle_id == cycle.id, CycleOffer.producer_id == producer.id
    )
    sold = (
        select(OrderLine.id)
        .join(OrderLine.order)
        .where(Order.cycle_id == cycle.id, OrderLine.producer_id == producer.id)
    )
    return bool(db.session.scalar(select(offered.exists() | sold.exists())))


def hubs_of_producer(producer: Enterprise) -> list[Enterprise]:
    """The hubs where the producer has counted lines (the hub filter's choices)."""
    hub_ids = (
        select(Order.hub_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(OrderLine.producer_id == producer.id, Order.status.in_(COUNTED_STATUSES))
    )
    return list(
        db.session.scalars(
            select(Enterprise).where(Enterprise.id.in_(hub_ids)).order_by(Enterprise.name)
        )
    )


# --------------------------------------------------------------------------- CSV


def _money(cents: int) -> str:
    return csvexport.Number(f"{Decimal(cents) / 100:.2f}".replace(".", ","))


def _kg(grams: int | None) -> str:
    if grams is None:
        return ""
    return csvexport.Number(f"{Decimal(grams) / 1000:.3f}".replace(".", ","))


def csv_header() -> list[str]:
    return [
        _("Hub"),
        _("Cycle"),
        _("Closes"),
        _("Pickup"),
        _("Order"),
        _("Customer"),
        _("Product"),
        _("Variant"),
        _("SKU"),
        _("Quantity"),
        _("Weight (kg)"),
        _("Unit price"),
        _("Line total"),
        _("Hub fee"),
        _("Owed to the producer"),
    ]


def csv_rows(summaries: list[CycleSummary]) -> Iterator[list[str]]:
    for summary in summaries:
        cycle = summary.cycle
        closes = to_local(cycle.effective_closes_at).strftime("%Y-%m-%d %H:%M")
        for order in summary.orders:
            pickup = to_local(order.pickup_starts_at).strftime("%Y-%m-%d %H:%M")
            for line in order.lines:
                yield [
                    summary.hub.name,
                    cycle.name,
                    closes,
                    pickup,
                    order.number,
                    order.customer_name,
                    line.product_name,
                    line.variant_name,
                    line.sku,
                    csvexport.Number(line.quantity),
                    _kg(line.weight_g),
                    _money(line.unit_price_cents),
                    _money(line.total_cents),
                    _money(line.hub_fee_cents),
                    _money(line.owed_cents),
                ]


def export_csv(
    producer: Enterprise, filters: Filters, now: datetime, cycle: OrderCycle | None = None
) -> str:
    """The lines as CSV (UTF-8 with a BOM, ``;``, decimal commas): one cycle, or every cycle
    matching ``filters`` (fetched a page of cycles at a time: a bounded number of statements
    per page of cycles).
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csvexport.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(csv_header())
    if cycle is not None:
        writer.writerows(csv_rows([cycle_summary(producer, cycle)]))
        return buffer.getvalue()
    page = 1
    while True:
        result = list_cycles(producer, filters, page, now)
        writer.writerows(csv_rows(result.items))
        if not result.has_next:
            break
        page += 1
    return buffer.getvalue()


def state_choices() -> list[tuple[str, str]]:
    labels = {
        CycleState.open: _("Open"),
        CycleState.closed: _("Closed"),
        CycleState.done: _("Done"),
    }
    return [(state.value, labels[state]) for state in STATE_FILTERS]
