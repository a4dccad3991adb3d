"""A hub's sales: per cycle, top products, and the chart's points.

Orders counted as in the cycle reports (``payments.money.COUNTED``): confirmed or collected,
never cancelled nor awaiting their card payment. Sales are what those orders sold
(``payments.money``: the order totals after the hub's line edits, less the goodwill refunds; a
refund made because the hub changed a line is already out of the total, so it is not taken
twice). Aggregated in SQL: a fixed number of queries whatever the number of orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from core.db import db
from cycles.models import OrderCycle
from orders.models import Order, OrderLine
from payments.money import COUNTED, money_columns

#: cycles shown (the newest by closing date)
CYCLES = 12
TOP_PRODUCTS = 10


@dataclass(frozen=True)
class CycleSales:
    cycle_id: int
    name: str
    closes_at: datetime
    orders: int
    sales_cents: int
    hub_fee_cents: int

    @property
    def average_cents(self) -> int:
        # integer division rounds half up once, like core.money
        return (2 * self.sales_cents + self.orders) // (2 * self.orders) if self.orders else 0


@dataclass(frozen=True)
class ProductSales:
    product: str
    variant: str
    quantity: int
    sales_cents: int


@dataclass(frozen=True)
class Dashboard:
    cycles: list[CycleSales]
    top_products: list[ProductSales]

    @property
    def sales_cents(self) -> int:
        return sum(c.sales_cents for c in self.cycles)

    @property
    def orders(self) -> int:
        return sum(c.orders for c in self.cycles)

    def chart_points(self) -> list[tuple[str, datetime, int]]:
        """Oldest first, as a time axis reads."""
        return [(c.name, c.closes_at, c.sales_cents) for c in reversed(self.cycles)]


def hub_dashboard(hub_id: int, *, cycles: int = CYCLES) -> Dashboard:
    recent = (
        select(OrderCycle.id)
        .where(OrderCycle.hub_id == hub_id)
        .order_by(OrderCycle.closes_at.desc(), OrderCycle.id.desc())
        .limit(cycles)
        .scalar_subquery()
    )
    counted = (Order.cycle_id.in_(recent), Order.status.in_(COUNTED))
    money = money_columns(*counted)
    per_cycle = {
        cid: (int(n), int(s or 0), int(f or 0))
        for cid, n, s, f in db.session.execute(
            money.join(
                select(
                    Order.cycle_id,
                    func.count(Order.id),
                    func.sum(money.sold),
                    func.sum(Order.hub_fee_cents),
                )
            )
            .where(*counted)
            .group_by(Order.cycle_id)
        )
    }
    rows = db.session.execute(
        select(OrderCycle.id, OrderCycle.name, OrderCycle.closes_at)
        .where(OrderCycle.id.in_(recent))
        .order_by(OrderCycle.closes_at.desc(), OrderCycle.id.desc())
    ).all()
    cycle_rows = [
        CycleSales(cid, name, closes_at, *per_cycle.get(cid, (0, 0, 0)))
        for cid, name, closes_at in rows
    ]
    top = [
        ProductSales(product, variant, int(qty), int(cents))
        for product, variant, qty, cents in db.session.execute(
            select(
                OrderLine.product_name,
                OrderLine.variant_name,
                func.sum(OrderLine.quantity),
                func.sum(OrderLine.line_total_cents).label("sales"),
            )
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.cycle_id.in_(recent), Order.status.in_(COUNTED))
            .group_by(OrderLine.product_name, OrderLine.variant_name)
            .order_by(func.sum(OrderLine.line_total_cents).desc(), OrderLine.product_name)
            .limit(TOP_PRODUCTS)
        )
    ]
    return Dashboard(cycle_rows, top)
