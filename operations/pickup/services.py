"""The pickup-day checklist: who comes to a pickup window, what they take, what they still pay.

Ticks ("collected" or not) come from the phone, possibly late: the checklist works offline and
sends its queued ticks when the network is back. Each tick goes through the back office's
``set_collected`` (the hand-over rule lives there). A stale tick is ignored (see ``apply_tick``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from core.db import db
from core.timeutils import utcnow
from cycles.models import OrderCycle, PickupWindow
from operations.backoffice.errors import OrderNotCollectable
from operations.backoffice.services import balances_due, set_collected
from orders.models import Order, OrderLine, OrderStatus

#: the orders a pickup list shows: placed and not cancelled, paid online or to pay on site
LISTED = (OrderStatus.confirmed, OrderStatus.collected)


def sort_key(name: str) -> str:
    """Alphabetical as people read it: accents and case ignored ("Élodie" beside "Eloi")."""
    decomposed = unicodedata.normalize("NFKD", name.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class WindowSummary:
    window: PickupWindow
    to_collect: int
    collected: int


def window_summaries(cycle: OrderCycle) -> list[WindowSummary]:
    """The cycle's windows (by point, then time) with their counts, in two queries."""
    windows = db.session.scalars(
        select(PickupWindow)
        .where(PickupWindow.cycle_id == cycle.id)
        .options(joinedload(PickupWindow.distribution_point))
        .order_by(PickupWindow.starts_at, PickupWindow.id)
    ).all()
    counts = {
        window_id: (int(waiting or 0), int(done or 0))
        for window_id, waiting, done in db.session.execute(
            select(
                Order.pickup_window_id,
                func.sum(case((Order.status == OrderStatus.confirmed, 1), else_=0)),
                func.sum(case((Order.status == OrderStatus.collected, 1), else_=0)),
            )
            .where(Order.cycle_id == cycle.id, Order.status.in_(LISTED))
            .group_by(Order.pickup_window_id)
        )
    }
    summaries = [WindowSummary(w, *counts.get(w.id, (0, 0))) for w in windows]
    summaries.sort(key=lambda s: (sort_key(s.window.distribution_point.name), s.window.starts_at))
    return summaries


@dataclass
class ProducerGroup:
    producer: str
    lines: list[OrderLine] = field(default_factory=list)


@dataclass
class ChecklistEntry:
    order: Order
    balance_due_cents: int
    groups: list[ProducerGroup]


def checklist(window: PickupWindow) -> list[ChecklistEntry]:
    """The window's customers in alphabetical order, each with their lines by producer and the
    amount still to pay; a fixed number of queries whatever the number of orders."""
    orders = list(
        db.session.scalars(
            select(Order)
            .where(Order.pickup_window_id == window.id, Order.status.in_(LISTED))
            .options(
                joinedload(Order.pickup_slot),
                selectinload(Order.lines).joinedload(OrderLine.producer),
            )
        ).unique()
    )
    orders.sort(key=lambda o: (sort_key(o.customer_name), o.number))
    balances = balances_due(orders)
    entries = []
    for order in orders:
        groups: dict[int, ProducerGroup] = {}
        for line in sorted(order.lines, key=lambda li: (sort_key(li.producer.name), li.id)):
            groups.setdefault(line.producer_id, ProducerGroup(line.producer.name)).lines.append(
                line
            )
        entries.append(ChecklistEntry(order, balances[order.id], list(groups.values())))
    return entries


@dataclass(frozen=True)
class TickResult:
    order_id: int
    #: "applied", "stale" (a newer change won) or an error code
    outcome: str
    collected: bool | None = None

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {"order_id": self.order_id, "outcome": self.outcome}
        if self.collected is not None:
            data["collected"] = self.collected
        return data


def apply_tick(
    cycle: OrderCycle, order_id: int, collected: bool, at: datetime, actor: User | None
) -> TickResult:
    """Apply one tick made on a phone at ``at`` (aware UTC); commit once (through set_collected).

    Last write wins, as far as the order records it: marking collected keeps the first hand-over
    time; an "un-tick" made before the recorded hand-over is stale and ignored (the order was
    handed over again, or by someone else, after it). Orders of another cycle or hub are
    refused with ``order_not_in_cycle``.
    """
    order = db.session.get(Order, order_id)
    if order is None or order.cycle_id != cycle.id:
        return TickResult(order_id, "order_not_in_cycle")
    if not collected and order.collected_at is not None and at < order.collected_at:
        return TickResult(order_id, "stale", order.status is OrderStatus.collected)
    try:
        order = set_collected(order, collected, actor, at=min(at, utcnow()))
    except OrderNotCollectable as exc:
        # the phone shows the order as the server has it (a cancelled order: not collected)
        return TickResult(order_id, exc.code, order.status is OrderStatus.collected)
    return TickResult(order_id, "applied", order.status is OrderStatus.collected)


def apply_ticks(
    cycle: OrderCycle, ticks: Iterable[tuple[int, bool, datetime]], actor: User | None
) -> list[TickResult]:
    return [apply_tick(cycle, oid, collected, at, actor) for oid, collected, at in ticks]
