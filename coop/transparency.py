"""The cooperative's public accounts and the payment fees shown to buyers.

Everything here is aggregated: sums and counts over the whole platform for a calendar year (local
time, ``APP_TIMEZONE``). No person and no enterprise is named: the page must be publishable as is.
The page costs a fixed number of queries (five), whatever the number of orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask import current_app, has_app_context
from sqlalchemy import func, select

from coop.commission import commission_bp, commission_for
from coop.models import CommissionEntry, CommissionKind, ContributionPayment, PlatformCost
from core.db import db
from core.money import percent_of
from core.timeutils import local_date, local_to_utc, utcnow
from enterprises.models import Enterprise
from orders.models import PaymentMethod

#: what Stripe keeps on a European card payment, by default (1.5 % + 0.25 EUR)
DEFAULT_STRIPE_FEE_BP = 150
DEFAULT_STRIPE_FEE_FIXED_CENTS = 25


# --------------------------------------------------------------------------- payment fees


def payment_fee_cents(total_cents: int, method: PaymentMethod | str) -> int:
    """What the payment provider keeps on an order paid ``method``, in cents.

    Card (Stripe): ``STRIPE_FEE_BP`` basis points of the amount, rounded half up once, plus
    ``STRIPE_FEE_FIXED_CENTS`` (defaults 150 bp and 25 cents). Pay at pickup: none (the hub's own
    terminal or cash, outside the platform). Nothing for an empty amount. The fee is NOT added to
    the citizen's price: the provider takes it from what the hub receives.
    """
    if total_cents <= 0 or str(method) != PaymentMethod.card.value:
        return 0
    bp, fixed = DEFAULT_STRIPE_FEE_BP, DEFAULT_STRIPE_FEE_FIXED_CENTS
    if has_app_context():
        bp = int(current_app.config.get("STRIPE_FEE_BP", bp))
        fixed = int(current_app.config.get("STRIPE_FEE_FIXED_CENTS", fixed))
    return percent_of(total_cents, bp) + fixed


def payment_fee_rule() -> tuple[int, int]:
    """(basis points, fixed cents) of the card fee, as configured."""
    if has_app_context():
        return (
            int(current_app.config.get("STRIPE_FEE_BP", DEFAULT_STRIPE_FEE_BP)),
            int(current_app.config.get("STRIPE_FEE_FIXED_CENTS", DEFAULT_STRIPE_FEE_FIXED_CENTS)),
        )
    return DEFAULT_STRIPE_FEE_BP, DEFAULT_STRIPE_FEE_FIXED_CENTS


# --------------------------------------------------------------------------- the yearly accounts


@dataclass
class CommissionTotals:
    charged_cents: int = 0
    reversed_cents: int = 0  # positive: what refunds and cancellations gave back
    #: net per way of collecting it: "application_fee" / "statement"
    net_by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def net_cents(self) -> int:
        return self.charged_cents - self.reversed_cents


@dataclass
class YearAccounts:
    year: int
    years: list[int]
    contributions_cents: int
    contributions_count: int
    commission: CommissionTotals
    costs: list[PlatformCost]
    active_producers: int
    active_hubs: int
    #: the worked example of the rule
    example_base_cents: int = 1234
    commission_rate_bp: int = 100

    @property
    def costs_cents(self) -> int:
        return sum(cost.yearly_cents for cost in self.costs)

    @property
    def income_cents(self) -> int:
        return self.contributions_cents + self.commission.net_cents

    @property
    def balance_cents(self) -> int:
        return self.income_cents - self.costs_cents

    @property
    def example_commission_cents(self) -> int:
        return commission_for(self.example_base_cents)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The instants (UTC) where the local calendar year starts and the next one starts."""
    return (
        local_to_utc(date(year, 1, 1), time(0, 0)),
        local_to_utc(date(year + 1, 1, 1), time(0, 0)),
    )


def _years_with_data(current: int) -> list[int]:
    """Every year from the first with data (ledger, contributions, costs) to ``current``."""
    first_entry = select(func.min(CommissionEntry.created_at)).scalar_subquery()
    first_payment = (
        select(func.min(func.coalesce(ContributionPayment.paid_at, ContributionPayment.created_at)))
        .where(ContributionPayment.status == "paid")
        .scalar_subquery()
    )
    first_cost = select(func.min(PlatformCost.year)).scalar_subquery()
    entry_at, payment_at, cost_year = db.session.execute(
        select(first_entry, first_payment, first_cost)
    ).one()
    first = current
    for at in (entry_at, payment_at):
        if at is not None:
            first = min(first, local_date(at).year)
    if cost_year is not None:
        first = min(first, int(cost_year))
    return list(range(current, first - 1, -1))


def year_accounts(year: int | None = None) -> YearAccounts:
    """The platform's accounts for a calendar year (default: this year); five queries.

    Contributions: paid ``ContributionPayment`` rows by their payment date. Commission: the
    ledger's charges and reversals by the date they were recorded (a refund in January of an
    order paid in December lowers January's net), net per collection channel. Costs: the
    ``PlatformCost`` rows published for that year. Enterprises: the active producers and hubs
    now (an enterprise that is both counts in both).
    """
    current = local_date(utcnow()).year
    years = _years_with_data(current)
    if year is None or year not in years:
        year = current
    start, end = year_bounds(year)

    paid_at = func.coalesce(ContributionPayment.paid_at, ContributionPayment.created_at)
    contributions = db.session.execute(
        select(
            func.coalesce(func.sum(ContributionPayment.amount_cents), 0),
            func.count(ContributionPayment.id),
        ).where(ContributionPayment.status == "paid", paid_at >= start, paid_at < end)
    ).one()

    commission = CommissionTotals()
    rows = db.session.execute(
        select(
            CommissionEntry.kind,
            CommissionEntry.collected_via,
            func.sum(CommissionEntry.amount_cents),
        )
        .where(CommissionEntry.created_at >= start, CommissionEntry.created_at < end)
        .group_by(CommissionEntry.kind, CommissionEntry.collected_via)
    ).all()
    for kind, via, amount in rows:
        amount = int(amount or 0)
        if kind is CommissionKind.charge:
            commission.charged_cents += amount
        else:
            commission.reversed_cents += -amount
        commission.net_by_channel[via] = commission.net_by_channel.get(via, 0) + amount

    costs = list(
        db.session.scalars(
            select(PlatformCost)
            .where(PlatformCost.year == year)
            .order_by(PlatformCost.yearly_cents.desc(), PlatformCost.id)
        )
    )
    active = Enterprise.is_active.is_(True)
    producers, hubs = db.session.execute(
        select(
            func.count(Enterprise.id).filter(active, Enterprise.is_producer.is_(True)),
            func.count(Enterprise.id).filter(active, Enterprise.is_hub.is_(True)),
        )
    ).one()
    return YearAccounts(
        year=year,
        years=years,
        contributions_cents=int(contributions[0]),
        contributions_count=int(contributions[1]),
        commission=commission,
        costs=costs,
        active_producers=int(producers),
        active_hubs=int(hubs),
        commission_rate_bp=commission_bp(),
    )


__all__ = [
    "CommissionTotals",
    "YearAccounts",
    "payment_fee_cents",
    "payment_fee_rule",
    "year_accounts",
    "year_bounds",
]
