"""Monthly statements: what each enterprise sold, owes and gave in a month, numbered once.

What a statement says (one per enterprise and month, ``statements`` UNIQUE(enterprise, month)):

- **Sales.** For a hub (and an enterprise that is both producer and hub: one statement, the hub's
  figure, since the commission is computed on it): the net change in the month of what citizens
  paid and kept for goods, i.e. the sum of the commission bases recorded in the month (a first
  charge adds the order's base; a refund or a cancellation in the month takes away what it
  removed, even when the order was paid in an earlier month). That is exactly the base of the
  month's commission, so sales and commission always agree. For a producer that is not a hub:
  the citizen price (VAT and hub fees included) of the lines of its products in orders paid in
  the month and not cancelled; an order-level refund is not split between producers.
- **Commission.** The month's ``CommissionEntry`` rows of the hub (charges and reversals, by
  their ``created_at`` in the month, local time): ``commission_collected_cents`` are the entries
  Stripe Connect already took as application fee; ``commission_due_cents`` the entries billed on
  this statement. Their sum is the month's commission. The rows are linked to the statement.
- **Contributions.** Pledged for the month and paid in the month, from
  ``coop.contributions.services`` (``pledged_for_month``, ``paid_in_month``) when that module
  exists, else computed here from the models (:func:`_pledged_fallback`, :func:`_paid_fallback`).

Numbers: "YYYY-NNNNNN", one gap-free sequence per issuing year (EU invoicing: sequential, never
reused). They are allocated in the building transaction under a lock (PostgreSQL: a
transaction-level advisory lock, taken before reading the last number, which also works for the
first statement of a year when there is no row to lock; SQLite has a single writer), so a
rolled-back build consumes no number and two concurrent builds never share or skip one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from coop.models import CommissionEntry, ContributionPayment, ContributionPledge, Rhythm, Statement
from core.db import db, on_postgresql
from core.errors import DomainError
from core.timeutils import local_date, local_to_utc
from enterprises.models import Enterprise
from orders.models import Order, OrderLine, OrderStatus, PaymentStatus

#: arbitrary key of the advisory lock guarding statement numbers ("STMT" in ASCII)
NUMBER_LOCK_KEY = 0x53544D54


class BadMonth(DomainError):
    code = "bad_month"
    status = 422
    message = _l("Give a month as YYYY-MM, for example 2026-11.")


class MonthNotEnded(DomainError):
    code = "month_not_ended"
    status = 409
    message = _l("This month has not ended yet: statements are built once a month is over.")


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None) -> date:
    """``"2026-11"`` → ``date(2026, 11, 1)``; raises BadMonth on anything else."""
    match = _MONTH.match((value or "").strip())
    if not match:
        raise BadMonth()
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2999):
        raise BadMonth()
    return date(year, month, 1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The UTC instants where the local month starts and ends (end excluded)."""
    first = month.replace(day=1)
    return local_to_utc(first, time(0)), local_to_utc(next_month(first), time(0))


def last_ended_month(now: datetime) -> date:
    return previous_month(local_date(now).replace(day=1))


# --------------------------------------------------------------------------- figures


@dataclass
class Figures:
    sales_cents: int = 0
    commission_due_cents: int = 0
    commission_collected_cents: int = 0
    contribution_pledged_cents: int = 0
    contribution_paid_cents: int = 0

    @property
    def has_activity(self) -> bool:
        return any(
            (
                self.sales_cents,
                self.commission_due_cents,
                self.commission_collected_cents,
                self.contribution_pledged_cents,
                self.contribution_paid_cents,
            )
        )


def _contributions_module() -> Any | None:
    try:
        from coop.contributions import services
    except ImportError:
        return None
    if hasattr(services, "pledged_for_month") and hasattr(services, "paid_in_month"):
        return services
    return None


def _pledged_fallback(enterprise_id: int, month: date) -> int:
    """The pledge in force at the end of the month: a monthly amount every month, a yearly one
    in the month it was chosen (and its anniversaries), as coop.contributions counts it. Used
    only when that module does not provide ``pledged_for_month``."""
    _, end = month_bounds(month)
    pledge = db.session.scalar(
        select(ContributionPledge)
        .where(
            ContributionPledge.enterprise_id == enterprise_id, ContributionPledge.created_at < end
        )
        .order_by(ContributionPledge.created_at.desc(), ContributionPledge.id.desc())
        .limit(1)
    )
    if pledge is None:
        return 0
    if pledge.rhythm is Rhythm.yearly:
        return pledge.amount_cents if local_date(pledge.created_at).month == month.month else 0
    return pledge.amount_cents


def _paid_fallback(enterprise_id: int, month: date) -> int:
    start, end = month_bounds(month)
    return int(
        db.session.execute(
            select(func.coalesce(func.sum(ContributionPayment.amount_cents), 0)).where(
                ContributionPayment.enterprise_id == enterprise_id,
                ContributionPayment.status == "paid",
                ContributionPayment.paid_at >= start,
                ContributionPayment.paid_at < end,
            )
        ).scalar_one()
    )


def _candidate_contributors(month: date) -> set[int]:
    """Enterprises that pledged something by the end of the month or paid in it."""
    start, end = month_bounds(month)
    pledged = set(
        db.session.scalars(
            select(ContributionPledge.enterprise_id)
            .where(ContributionPledge.created_at < end)
            .distinct()
        )
    )
    paid = set(
        db.session.scalars(
            select(ContributionPayment.enterprise_id)
            .where(
                ContributionPayment.status == "paid",
                ContributionPayment.paid_at >= start,
                ContributionPayment.paid_at < end,
            )
            .distinct()
        )
    )
    return pledged | paid


def _entries_of_month(month: date) -> list[CommissionEntry]:
    start, end = month_bounds(month)
    return list(
        db.session.scalars(
            select(CommissionEntry)
            .where(CommissionEntry.created_at >= start, CommissionEntry.created_at < end)
            .order_by(CommissionEntry.id)
        )
    )


def _previous_bases(entries: list[CommissionEntry]) -> dict[int, int]:
    """For each entry, the base recorded just before it for the same order (0 at first)."""
    order_ids = {e.order_id for e in entries}
    if not order_ids:
        return {}
    history = db.session.execute(
        select(CommissionEntry.id, CommissionEntry.order_id, CommissionEntry.base_cents)
        .where(CommissionEntry.order_id.in_(order_ids))
        .order_by(CommissionEntry.order_id, CommissionEntry.id)
    ).all()
    previous: dict[int, int] = {}
    last: dict[int, int] = {}
    for entry_id, order_id, base in history:
        previous[entry_id] = last.get(order_id, 0)
        last[order_id] = base
    return previous


def base_change(entry: CommissionEntry, previous_base: int) -> int:
    """What a ledger entry changed in the order's base (the entry stores the new base)."""
    return entry.base_cents - previous_base


def _producer_sales(month: date) -> dict[int, int]:
    start, end = month_bounds(month)
    rows = db.session.execute(
        select(OrderLine.producer_id, func.sum(OrderLine.line_total_cents))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.paid_at >= start,
            Order.paid_at < end,
            Order.status != OrderStatus.cancelled,
            Order.payment_status.in_((PaymentStatus.paid, PaymentStatus.partially_refunded)),
        )
        .group_by(OrderLine.producer_id)
    ).all()
    return {producer_id: int(total or 0) for producer_id, total in rows}


def compute_figures(month: date) -> tuple[dict[int, Figures], dict[int, list[CommissionEntry]]]:
    """Every enterprise's figures for the month (read only), and the month's entries per hub."""
    figures: dict[int, Figures] = defaultdict(Figures)
    entries = _entries_of_month(month)
    previous = _previous_bases(entries)
    by_hub: dict[int, list[CommissionEntry]] = defaultdict(list)
    for entry in entries:
        fig = figures[entry.hub_id]
        fig.sales_cents += base_change(entry, previous.get(entry.id, 0))
        if entry.collected_via == "application_fee":
            fig.commission_collected_cents += entry.amount_cents
        else:
            fig.commission_due_cents += entry.amount_cents
        by_hub[entry.hub_id].append(entry)

    producer_sales = _producer_sales(month)
    if producer_sales:
        hubs = set(
            db.session.scalars(
                select(Enterprise.id).where(
                    Enterprise.id.in_(producer_sales), Enterprise.is_hub.is_(True)
                )
            )
        )
        for producer_id, total in producer_sales.items():
            if producer_id not in hubs:  # a hub's statement carries the hub's figure
                figures[producer_id].sales_cents += total

    contributions = _contributions_module()
    pledged_of = contributions.pledged_for_month if contributions else _pledged_fallback
    paid_of = contributions.paid_in_month if contributions else _paid_fallback
    for enterprise_id in _candidate_contributors(month) | set(figures):
        fig = figures[enterprise_id]
        fig.contribution_pledged_cents = int(pledged_of(enterprise_id, month))
        fig.contribution_paid_cents = int(paid_of(enterprise_id, month))
    return {k: v for k, v in figures.items() if v.has_activity or k in by_hub}, by_hub


# --------------------------------------------------------------------------- numbering


def _lock_numbers() -> None:
    if on_postgresql():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NUMBER_LOCK_KEY})


def _last_sequence(year: int) -> int:
    last = db.session.scalar(
        select(func.max(Statement.number)).where(Statement.number.like(f"{year}-%"))
    )
    return int(last.split("-", 1)[1]) if last else 0


def format_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:06d}"


# --------------------------------------------------------------------------- the use case


def build_statements(month: date, now: datetime) -> list[Statement]:
    """Build the statements of an ended month for every enterprise with activity; commit once.

    Activity: commission entries (a hub), its products sold (a producer), a pledge in force or a
    contribution paid. Enterprises that already have this month's statement are skipped, so
    running it twice builds nothing new and never renumbers. Takes the statement-number lock
    (PostgreSQL advisory lock, held to the commit) before checking what exists, so concurrent
    builds wait for each other. Links the month's commission entries to their statement.
    Returns the statements built now, in number order. Raises MonthNotEnded (nothing written)
    for the current or a future month.
    """
    month = month.replace(day=1)
    _, end = month_bounds(month)
    if end > now:
        raise MonthNotEnded()
    _lock_numbers()
    already = set(
        db.session.scalars(select(Statement.enterprise_id).where(Statement.month == month))
    )
    figures, by_hub = compute_figures(month)
    year = local_date(now).year
    sequence = _last_sequence(year)
    built: list[Statement] = []
    for enterprise_id in sorted(figures):
        if enterprise_id in already:
            continue
        fig = figures[enterprise_id]
        sequence += 1
        statement = Statement(
            number=format_number(year, sequence),
            enterprise_id=enterprise_id,
            month=month,
            sales_cents=fig.sales_cents,
            commission_due_cents=fig.commission_due_cents,
            commission_collected_cents=fig.commission_collected_cents,
            contribution_pledged_cents=fig.contribution_pledged_cents,
            contribution_paid_cents=fig.contribution_paid_cents,
            issued_at=now,
        )
        db.session.add(statement)
        built.append(statement)
    db.session.flush()
    for statement in built:
        for entry in by_hub.get(statement.enterprise_id, ()):
            if entry.statement_id is None:
                entry.statement_id = statement.id
    db.session.commit()
    return built


# --------------------------------------------------------------------------- reading


def statements_of(enterprise_id: int) -> list[Statement]:
    return list(
        db.session.scalars(
            select(Statement)
            .where(Statement.enterprise_id == enterprise_id)
            .order_by(Statement.month.desc(), Statement.id.desc())
        )
    )


def get_statement_of(enterprise_id: int, statement_id: int) -> Statement | None:
    """The statement if it belongs to the enterprise (else None: the view answers 404)."""
    statement = db.session.get(Statement, statement_id)
    if statement is None or statement.enterprise_id != enterprise_id:
        return None
    return statement


def statement_entries(statement: Statement) -> list[tuple[CommissionEntry, str]]:
    """The commission entries linked to a statement, with their order's number."""
    rows = db.session.execute(
        select(CommissionEntry, Order.number)
        .join(Order, Order.id == CommissionEntry.order_id)
        .where(CommissionEntry.statement_id == statement.id)
        .order_by(CommissionEntry.created_at, CommissionEntry.id)
    ).all()
    return [(entry, number) for entry, number in rows]
