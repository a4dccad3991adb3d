"""The commission ledger as people read it: one row per movement, its order, its statement.

Used by a hub's ledger page (``billing.ledger``) and the platform's (``coop_admin.commissions``).
Each row shows the base of the order after the movement (as recorded) and the change it made.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from coop.billing.statements import month_bounds
from coop.models import CommissionEntry, CommissionKind, Statement
from core import csvexport
from core.db import db
from core.money import cents_to_decimal
from core.timeutils import to_local
from enterprises.models import Enterprise
from orders.models import Order

PER_PAGE = 100


@dataclass(frozen=True)
class LedgerFilters:
    hub_id: int | None = None
    month: date | None = None


@dataclass(frozen=True)
class LedgerRow:
    entry_id: int
    created_at: datetime
    hub_id: int
    hub_name: str
    order_id: int
    order_number: str
    kind: CommissionKind
    base_cents: int
    amount_cents: int
    collected_via: str
    statement_id: int | None
    statement_number: str | None


@dataclass(frozen=True)
class LedgerTotals:
    entries: int = 0
    due_cents: int = 0
    collected_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.due_cents + self.collected_cents


@dataclass
class LedgerPage:
    rows: list[LedgerRow]
    totals: LedgerTotals
    page: int
    pages: int

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


def _where(stmt: Select, f: LedgerFilters) -> Select:
    if f.hub_id is not None:
        stmt = stmt.where(CommissionEntry.hub_id == f.hub_id)
    if f.month is not None:
        start, end = month_bounds(f.month)
        stmt = stmt.where(CommissionEntry.created_at >= start, CommissionEntry.created_at < end)
    return stmt


def _rows_query(f: LedgerFilters) -> Select:
    hub = aliased(Enterprise)
    return _where(
        select(
            CommissionEntry.id,
            CommissionEntry.created_at,
            CommissionEntry.hub_id,
            hub.name,
            CommissionEntry.order_id,
            Order.number,
            CommissionEntry.kind,
            CommissionEntry.base_cents,
            CommissionEntry.amount_cents,
            CommissionEntry.collected_via,
            CommissionEntry.statement_id,
            Statement.number,
        )
        .join(Order, Order.id == CommissionEntry.order_id)
        .join(hub, hub.id == CommissionEntry.hub_id)
        .outerjoin(Statement, Statement.id == CommissionEntry.statement_id),
        f,
    ).order_by(CommissionEntry.created_at.desc(), CommissionEntry.id.desc())


def ledger_totals(f: LedgerFilters) -> LedgerTotals:
    """Entries count, commission billed on statements (due) and taken by Stripe (collected)."""
    collected = CommissionEntry.collected_via == "application_fee"
    row = db.session.execute(
        _where(
            select(
                func.count(CommissionEntry.id),
                func.coalesce(func.sum(CommissionEntry.amount_cents).filter(~collected), 0),
                func.coalesce(func.sum(CommissionEntry.amount_cents).filter(collected), 0),
            ),
            f,
        )
    ).one()
    return LedgerTotals(entries=int(row[0]), due_cents=int(row[1]), collected_cents=int(row[2]))


def ledger_page(f: LedgerFilters, page: int = 1) -> LedgerPage:
    """One page of the ledger (newest first) and the totals of everything the filters keep."""
    totals = ledger_totals(f)
    pages = max(1, -(-totals.entries // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = db.session.execute(_rows_query(f).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return LedgerPage([LedgerRow(*r) for r in rows], totals, page, pages)


def ledger_csv(f: LedgerFilters) -> str:
    """Every row the filters keep, oldest first, amounts in euros with a dot (spreadsheets)."""
    out = io.StringIO()
    writer = csvexport.writer(out)
    writer.writerow(
        [
            "date",
            "hub",
            "order",
            "kind",
            "base_eur",
            "commission_eur",
            "collected_via",
            "statement",
        ]
    )
    rows = db.session.execute(_rows_query(f).order_by(None).order_by(CommissionEntry.id)).all()
    for r in rows:
        row = LedgerRow(*r)
        writer.writerow(
            [
                to_local(row.created_at).strftime("%Y-%m-%d %H:%M"),
                row.hub_name,
                row.order_number,
                row.kind.value,
                cents_to_decimal(row.base_cents),
                cents_to_decimal(row.amount_cents),
                row.collected_via,
                row.statement_number or "",
            ]
        )
    return out.getvalue()


def hubs_with_entries() -> list[Enterprise]:
    ids = select(CommissionEntry.hub_id).distinct()
    return list(
        db.session.scalars(
            select(Enterprise).where(Enterprise.id.in_(ids)).order_by(Enterprise.name)
        )
    )
