"""Platform figures, the list of every statement, and the published running costs."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from coop.billing.statements import month_bounds
from coop.models import CommissionEntry, ContributionPayment, PlatformCost, Statement
from core import csvexport
from core.db import db
from core.errors import DomainError
from core.money import cents_to_decimal
from core.timeutils import local_date, local_to_utc
from enterprises.models import Enterprise

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_COST_CENTS = 100_000_000  # one million euros a year: a typo guard


class CostInvalid(DomainError):
    code = "cost_invalid"
    status = 422
    message = _l("This cost is not valid.")


# --------------------------------------------------------------------------- overview


@dataclass(frozen=True)
class Period:
    contributions_cents: int
    commission_due_cents: int
    commission_collected_cents: int

    @property
    def commission_cents(self) -> int:
        return self.commission_due_cents + self.commission_collected_cents


@dataclass(frozen=True)
class Overview:
    month: date
    year: int
    this_month: Period
    this_year: Period
    statements_count: int
    statements_this_year: int
    costs_this_year_cents: int


def _period(start: datetime, end: datetime) -> Period:
    paid = db.session.scalar(
        select(func.coalesce(func.sum(ContributionPayment.amount_cents), 0)).where(
            ContributionPayment.status == "paid",
            ContributionPayment.paid_at >= start,
            ContributionPayment.paid_at < end,
        )
    )
    collected = CommissionEntry.collected_via == "application_fee"
    due, taken = db.session.execute(
        select(
            func.coalesce(func.sum(CommissionEntry.amount_cents).filter(~collected), 0),
            func.coalesce(func.sum(CommissionEntry.amount_cents).filter(collected), 0),
        ).where(CommissionEntry.created_at >= start, CommissionEntry.created_at < end)
    ).one()
    return Period(int(paid or 0), int(due), int(taken))


def overview(now: datetime) -> Overview:
    """This month's and this year's figures (local calendar), statements and costs."""
    today = local_date(now)
    month = today.replace(day=1)
    year_start = local_to_utc(date(today.year, 1, 1), time(0))
    year_end = local_to_utc(date(today.year + 1, 1, 1), time(0))
    statements_count, this_year = db.session.execute(
        select(
            func.count(Statement.id),
            func.count(Statement.id).filter(Statement.number.like(f"{today.year}-%")),
        )
    ).one()
    costs = db.session.scalar(
        select(func.coalesce(func.sum(PlatformCost.yearly_cents), 0)).where(
            PlatformCost.year == today.year
        )
    )
    return Overview(
        month=month,
        year=today.year,
        this_month=_period(*month_bounds(month)),
        this_year=_period(year_start, year_end),
        statements_count=int(statements_count),
        statements_this_year=int(this_year),
        costs_this_year_cents=int(costs or 0),
    )


# --------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class StatementTotals:
    count: int = 0
    sales_cents: int = 0
    commission_due_cents: int = 0
    commission_collected_cents: int = 0
    contribution_pledged_cents: int = 0
    contribution_paid_cents: int = 0


def list_statements(month: date | None) -> list[tuple[Statement, Enterprise]]:
    """Every statement (of a month, or all), newest number first, with its enterprise."""
    stmt = select(Statement, Enterprise).join(Enterprise, Enterprise.id == Statement.enterprise_id)
    if month is not None:
        stmt = stmt.where(Statement.month == month)
    stmt = stmt.order_by(Statement.issued_at.desc(), Statement.number.desc())
    return [(s, e) for s, e in db.session.execute(stmt).all()]


def statement_totals(rows: list[tuple[Statement, Enterprise]]) -> StatementTotals:
    return StatementTotals(
        count=len(rows),
        sales_cents=sum(s.sales_cents for s, _ in rows),
        commission_due_cents=sum(s.commission_due_cents for s, _ in rows),
        commission_collected_cents=sum(s.commission_collected_cents for s, _ in rows),
        contribution_pledged_cents=sum(s.contribution_pledged_cents for s, _ in rows),
        contribution_paid_cents=sum(s.contribution_paid_cents for s, _ in rows),
    )


def statements_csv(month: date | None) -> str:
    out = io.StringIO()
    writer = csvexport.writer(out)
    writer.writerow(
        [
            "number",
            "month",
            "enterprise",
            "issued_on",
            "sales_eur",
            "commission_due_eur",
            "commission_collected_eur",
            "contribution_pledged_eur",
            "contribution_paid_eur",
        ]
    )
    for s, e in sorted(list_statements(month), key=lambda row: row[0].number):
        writer.writerow(
            [
                s.number,
                f"{s.month:%Y-%m}",
                e.name,
                local_date(s.issued_at).isoformat(),
                *(
                    cents_to_decimal(v)
                    for v in (
                        s.sales_cents,
                        s.commission_due_cents,
                        s.commission_collected_cents,
                        s.contribution_pledged_cents,
                        s.contribution_paid_cents,
                    )
                ),
            ]
        )
    return out.getvalue()


# --------------------------------------------------------------------------- costs


def list_costs(year: int | None = None) -> list[PlatformCost]:
    stmt = select(PlatformCost).order_by(PlatformCost.year.desc(), PlatformCost.label)
    if year is not None:
        stmt = stmt.where(PlatformCost.year == year)
    return list(db.session.scalars(stmt))


def _check_cost(label: str, yearly_cents: int, year: int) -> str:
    label = label.strip()
    fields = {}
    if not label or len(label) > 150:
        fields["label"] = str(_l("Give a label of 1 to 150 characters."))
    if not 0 <= yearly_cents <= MAX_COST_CENTS:
        fields["amount"] = str(_l("Give an amount between 0 and 1,000,000 euros."))
    if not MIN_YEAR <= year <= MAX_YEAR:
        fields["year"] = str(_l("Give a year between 2000 and 2100."))
    if fields:
        raise CostInvalid(fields=fields)
    return label


def create_cost(*, label: str, yearly_cents: int, year: int) -> PlatformCost:
    """Publish a running cost (shown on the transparency page); commit once. Raises
    CostInvalid with field messages."""
    cost = PlatformCost(
        label=_check_cost(label, yearly_cents, year), yearly_cents=yearly_cents, year=year
    )
    db.session.add(cost)
    db.session.commit()
    return cost


def update_cost(cost: PlatformCost, *, label: str, yearly_cents: int, year: int) -> PlatformCost:
    """Change a running cost; commit once. Raises CostInvalid."""
    cost.label = _check_cost(label, yearly_cents, year)
    cost.yearly_cents = yearly_cents
    cost.year = year
    db.session.commit()
    return cost


def delete_cost(cost: PlatformCost) -> None:
    db.session.delete(cost)
    db.session.commit()
