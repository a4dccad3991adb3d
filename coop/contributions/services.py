"""Free contributions: the pledge an enterprise chooses, the suggestion, and what was paid.

Rules (shown to users on the contribution page):

- **Free.** An enterprise chooses any amount >= 0, monthly or yearly. Zero is a valid choice and
  is respected: nothing is asked again. Each choice adds a ``ContributionPledge`` row; the latest
  row is the pledge in force (the history is kept).
- **Suggestion** (:func:`suggested_contribution`): the running costs published for the current
  (local) year (``PlatformCost.year``) divided by the number of *active enterprises*: enterprises
  with ``is_active`` that are producers or hubs (every enterprise is one or both; an enterprise that
  is both counts once, because it makes one contribution). Yearly: ``costs / n`` rounded half up to
  the cent; monthly: ``costs / n / 12`` rounded once, half up (``core.money.round_cents``). No
  active enterprise, or no published cost → no suggestion (None). It is a suggestion only.
- **Pledged for a month** (:func:`pledged_for_month`, used by the monthly statements): the pledge
  in force at the end of the month (the latest chosen before the month ended, local time).
  A monthly pledge counts its amount in every month. A yearly pledge counts its whole amount once
  a year: in the month it was chosen, then in the same calendar month of each following year
  (its renewal), as long as it is still the pledge in force; the other months count 0.
  Choosing a new yearly pledge restarts the yearly cycle from its month.
- **Paid in a month** (:func:`paid_in_month`): the ``paid`` contribution payments whose
  ``paid_at`` falls in the month (local time): card payments confirmed by the Stripe webhook and
  transfers recorded by a platform admin.
- **Card.** Through payments' one card integration (``payments.payables``): a contribution is
  the payable ``CONTRIBUTION`` (registered by ``coop.contributions``), on the platform's own
  Stripe account (never a hub's Connect account), metadata
  ``{"kind": "contribution", "enterprise_id", "pledge_id"}``. Only the verified webhook marks a
  card contribution paid (:class:`ContributionPayable`, idempotent per PaymentIntent).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from coop.models import ContributionPayment, ContributionPledge, PlatformCost, Rhythm
from core.db import db
from core.errors import DomainError
from core.money import round_cents
from core.timeutils import local_date, local_to_utc, utcnow
from enterprises.models import Enterprise
from payments import payables, stripe_api
from payments.errors import ServiceUnreachable

log = logging.getLogger(__name__)

#: a sanity bound on what a form may pledge (100 000 EUR): beyond it, a typing mistake
MAX_PLEDGE_CENTS = 10_000_000
#: a sanity bound on a transfer an admin records (1 000 000 EUR)
MAX_TRANSFER_CENTS = 100_000_000


class NothingToPay(DomainError):
    code = "nothing_to_pay"
    status = 409
    message = _l("Your current contribution is 0 €: there is nothing to pay.")


class CardPaymentNotSetUp(DomainError):
    code = "card_payment_not_set_up"
    status = 409
    message = _l(
        "Card payment is not set up on this platform: please pay by bank transfer "
        "(details on this page)."
    )


class InvalidAmount(DomainError):
    code = "invalid_amount"
    status = 422
    message = _l("This amount is not possible.")


# --------------------------------------------------------------------------- months


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    return local_to_utc(first, time(0)), local_to_utc(_next_month(first), time(0))


# --------------------------------------------------------------------------- suggestion


@dataclass(frozen=True)
class Suggestion:
    """The suggested contribution and how it was computed (shown to the user)."""

    year: int
    costs_cents: int
    enterprises: int
    yearly_cents: int
    monthly_cents: int

    def for_rhythm(self, rhythm: Rhythm) -> int:
        return self.monthly_cents if rhythm is Rhythm.monthly else self.yearly_cents


def suggest(costs_cents: int, enterprises: int) -> tuple[int, int] | None:
    """(yearly, monthly) suggestion in cents from the yearly costs and the number of active
    enterprises; None when there is no one to share with or nothing to share. Pure arithmetic."""
    if enterprises <= 0 or costs_cents <= 0:
        return None
    yearly = round_cents(Decimal(costs_cents) / Decimal(enterprises))
    monthly = round_cents(Decimal(costs_cents) / Decimal(enterprises) / Decimal(12))
    return yearly, monthly


def active_enterprises_count() -> int:
    """Enterprises that are active and producers or hubs (each counted once)."""
    return int(
        db.session.scalar(
            select(func.count(Enterprise.id)).where(
                Enterprise.is_active.is_(True),
                (Enterprise.is_producer.is_(True)) | (Enterprise.is_hub.is_(True)),
            )
        )
        or 0
    )


def suggestion(now: datetime | None = None) -> Suggestion | None:
    """The suggestion for the current local year with its figures, or None (see module doc)."""
    year = local_date(now or utcnow()).year
    costs = int(
        db.session.scalar(
            select(func.coalesce(func.sum(PlatformCost.yearly_cents), 0)).where(
                PlatformCost.year == year
            )
        )
        or 0
    )
    count = active_enterprises_count()
    amounts = suggest(costs, count)
    if amounts is None:
        return None
    return Suggestion(year, costs, count, amounts[0], amounts[1])


def suggested_contribution(rhythm: Rhythm | str, now: datetime | None = None) -> int | None:
    """The suggested amount in cents for a rhythm (monthly = yearly / 12, rounded half up once),
    or None when there is no active enterprise or no published cost for the year."""
    found = suggestion(now)
    return None if found is None else found.for_rhythm(Rhythm(rhythm))


# --------------------------------------------------------------------------- pledges


def current_pledge(enterprise_id: int, before: datetime | None = None) -> ContributionPledge | None:
    """The pledge in force (the latest chosen, optionally before an instant)."""
    query = select(ContributionPledge).where(ContributionPledge.enterprise_id == enterprise_id)
    if before is not None:
        query = query.where(ContributionPledge.created_at < before)
    return db.session.scalar(
        query.order_by(ContributionPledge.created_at.desc(), ContributionPledge.id.desc()).limit(1)
    )


def pledge_history(enterprise_id: int) -> list[ContributionPledge]:
    return list(
        db.session.scalars(
            select(ContributionPledge)
            .where(ContributionPledge.enterprise_id == enterprise_id)
            .order_by(ContributionPledge.created_at.desc(), ContributionPledge.id.desc())
        )
    )


def choose_pledge(
    enterprise: Enterprise, *, amount_cents: int, rhythm: Rhythm | str, actor: User | None
) -> ContributionPledge:
    """Record the contribution an enterprise chooses (any amount >= 0); commit once.

    Adds a row even when the amount is unchanged (the history shows each choice). Raises
    InvalidAmount for a negative amount or one above MAX_PLEDGE_CENTS.
    """
    if amount_cents < 0 or amount_cents > MAX_PLEDGE_CENTS:
        raise InvalidAmount()
    pledge = ContributionPledge(
        enterprise_id=enterprise.id,
        amount_cents=amount_cents,
        rhythm=Rhythm(rhythm),
        chosen_by_id=actor.id if actor else None,
        created_at=utcnow(),
    )
    db.session.add(pledge)
    db.session.commit()
    return pledge


def pledged_for_month(enterprise_id: int, month_first_day: date) -> int:
    """What the enterprise pledged for a month, in cents (rule in the module docstring)."""
    start, end = _month_bounds(month_first_day)
    pledge = current_pledge(enterprise_id, before=end)
    if pledge is None or pledge.amount_cents == 0:
        return 0
    if pledge.rhythm is Rhythm.monthly:
        return pledge.amount_cents
    chosen = local_date(pledge.created_at)
    if chosen.month == month_first_day.month and chosen.year <= month_first_day.year:
        return pledge.amount_cents
    return 0


def paid_in_month(enterprise_id: int, month: date) -> int:
    """Contributions paid in a month (local time), in cents: confirmed cards and transfers."""
    start, end = _month_bounds(month)
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(ContributionPayment.amount_cents), 0)).where(
                ContributionPayment.enterprise_id == enterprise_id,
                ContributionPayment.status == "paid",
                ContributionPayment.paid_at >= start,
                ContributionPayment.paid_at < end,
            )
        )
        or 0
    )


def payments_of(enterprise_id: int) -> list[ContributionPayment]:
    return list(
        db.session.scalars(
            select(ContributionPayment)
            .where(ContributionPayment.enterprise_id == enterprise_id)
            .order_by(ContributionPayment.created_at.desc(), ContributionPayment.id.desc())
        )
    )


# --------------------------------------------------------------------------- card payments


def latest_card_attempt(enterprise_id: int) -> ContributionPayment | None:
    """The latest card payment not confirmed yet ("pending", or "failed" and retryable)."""
    return db.session.scalar(
        select(ContributionPayment)
        .where(
            ContributionPayment.enterprise_id == enterprise_id,
            ContributionPayment.method == "card",
            ContributionPayment.status.in_(("pending", "failed")),
        )
        .order_by(ContributionPayment.id.desc())
        .limit(1)
    )


def _attempt_key(enterprise_id: int) -> str:
    """``contribution-<enterprise>-<n>``, n = card payments recorded so far: a double click
    sends the same key (Stripe answers with the same PaymentIntent), the next payment a new one."""
    count = db.session.scalar(
        select(func.count(ContributionPayment.id)).where(
            ContributionPayment.enterprise_id == enterprise_id,
            ContributionPayment.method == "card",
        )
    )
    return f"contribution-{enterprise_id}-{int(count or 0)}"


def contribution_charge(enterprise: Enterprise, pledge: ContributionPledge) -> payables.Charge:
    """What a contribution's PaymentIntent asks: the pledge, on the platform's own account."""
    return payables.Charge(
        kind=CONTRIBUTION.kind,
        amount_cents=pledge.amount_cents,
        currency="EUR",
        description=f"Comptoir contribution {enterprise.name}",
        idempotency_key=_attempt_key(enterprise.id),
        metadata={"enterprise_id": str(enterprise.id), "pledge_id": str(pledge.id)},
    )


@dataclass
class CardPayment:
    payment: ContributionPayment
    client_secret: str
    status: str


@dataclass(frozen=True)
class TransferDetails:
    """What an enterprise needs to pay its contribution by bank transfer (from configuration)."""

    holder: str
    iban: str
    bic: str
    reference: str


def transfer_reference(enterprise: Enterprise) -> str:
    """The reference to write on a transfer, so the cooperative knows whose it is."""
    return f"COMPTOIR-CONTRIB-{enterprise.id}"


def transfer_details(enterprise: Enterprise) -> TransferDetails | None:
    """The cooperative's bank details and the enterprise's reference; None when not configured."""
    config = current_app.config
    iban = str(config.get("COOP_BANK_IBAN") or "").strip()
    if not iban:
        return None
    return TransferDetails(
        holder=str(config.get("COOP_BANK_HOLDER") or "").strip(),
        iban=iban,
        bic=str(config.get("COOP_BANK_BIC") or "").strip(),
        reference=transfer_reference(enterprise),
    )


def start_card_contribution(enterprise: Enterprise, *, actor: User | None) -> CardPayment:
    """Start (or resume) paying the pledged amount by card on the platform's account; commit.

    - A pending attempt of the same amount whose PaymentIntent still accepts a card is resumed
      (the page shows the card form again); one being processed or already succeeded is
      returned as is (the webhook will confirm it). A failed attempt, or one for another amount
      (the pledge changed), is cancelled at Stripe (best effort), marked "failed", and a new
      PaymentIntent is made.
    - Otherwise a PaymentIntent is created (:func:`contribution_charge`, through
      ``payments.payables``), outside any lock, then recorded as a pending card payment; a
      concurrent request that recorded the same intent wins (unique intent id).
    Raises NothingToPay (no pledge, or 0), CardPaymentNotSetUp (no Stripe key configured),
    ServiceUnreachable (Stripe unreachable).
    """
    pledge = current_pledge(enterprise.id)
    if pledge is None or pledge.amount_cents <= 0:
        raise NothingToPay()
    if not stripe_api.is_configured():
        raise CardPaymentNotSetUp()
    existing = latest_card_attempt(enterprise.id)
    if existing is not None and existing.stripe_payment_intent_id:
        intent = payables.retrieve_intent(existing.stripe_payment_intent_id)
        if intent.status in payables.UNDER_WAY:
            return CardPayment(existing, "", intent.status)
        same = existing.amount_cents == pledge.amount_cents
        if intent.status in payables.RESUMABLE and same and existing.status == "pending":
            return CardPayment(existing, intent.client_secret or "", intent.status)
        if intent.status in payables.RESUMABLE:
            try:
                payables.cancel_intent(existing.stripe_payment_intent_id)
            except ServiceUnreachable as exc:
                log.info("contribution intent %s not cancelled: %s", intent.id, exc.detail)
        existing.status = "failed"
        db.session.commit()
    charge = contribution_charge(enterprise, pledge)
    db.session.commit()  # no transaction left open while Stripe is called
    started = payables.create_intent(charge)
    payment = ContributionPayment(
        enterprise_id=enterprise.id,
        amount_cents=pledge.amount_cents,
        method="card",
        reference=f"pledge {pledge.id}",
        stripe_payment_intent_id=started.id,
        status="pending",
        recorded_by_id=actor.id if actor else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
    except IntegrityError:
        found = db.session.scalar(
            select(ContributionPayment).where(
                ContributionPayment.stripe_payment_intent_id == started.id
            )
        )
        assert found is not None
        payment = found
    db.session.commit()
    return CardPayment(payment, started.client_secret, started.status)


def confirm_card_contribution(payment: ContributionPayment, payment_method_id: str) -> CardPayment:
    """Attach the card Stripe.js made and confirm the PaymentIntent; commit. Only the webhook
    marks it paid. A declined attempt can be retried with another card (it goes back to
    "pending"). Raises CardDeclined (Stripe's message), ServiceUnreachable,
    NothingToPay when the payment is already paid.
    """
    if payment.status not in ("pending", "failed") or not payment.stripe_payment_intent_id:
        raise NothingToPay()
    pi = payment.stripe_payment_intent_id
    payment.status = "pending"
    db.session.commit()
    intent = payables.confirm_intent(pi, payment_method_id, key=pi)
    return CardPayment(payment, intent.client_secret, intent.status)


class ContributionPayable:
    """A contribution as a payable (payments.payables): webhook events of PaymentIntents whose
    metadata kind is "contribution" land here, inside the webhook's transaction (flush only).

    The payment row is locked; ``payment_intent.succeeded`` (amount and currency checked by
    payments) marks it paid once (a repeated event for the same intent changes nothing);
    ``payment_failed``/``canceled`` mark a pending one "failed"."""

    kind = "contribution"

    def lock(self, intent: Mapping[str, Any]) -> ContributionPayment | None:
        return db.session.scalar(
            select(ContributionPayment)
            .where(ContributionPayment.stripe_payment_intent_id == str(intent.get("id")))
            .with_for_update()
        )

    def expected(self, record: ContributionPayment) -> tuple[int, str]:
        return record.amount_cents, "EUR"

    def mismatch(self, record: ContributionPayment, message: str) -> None:
        return None  # logged by payments; the payment stays unpaid

    def succeeded(
        self, record: ContributionPayment, intent: Mapping[str, Any]
    ) -> payables.AfterCommit | None:
        if record.status != "paid":
            record.status = "paid"
            record.paid_at = utcnow()
            db.session.flush()
        return None

    def failed(self, record: ContributionPayment, message: str) -> None:
        self.canceled(record)

    def canceled(self, record: ContributionPayment) -> None:
        if record.status == "pending":
            record.status = "failed"
            db.session.flush()

    def progressed(self, record: ContributionPayment, status: str) -> None:
        return None


CONTRIBUTION = ContributionPayable()


# --------------------------------------------------------------------------- transfers (admins)


def record_transfer(
    enterprise: Enterprise,
    *,
    amount_cents: int,
    received_on: date,
    reference: str,
    actor: User | None,
) -> ContributionPayment:
    """Record a contribution received by bank transfer (paid at noon local time on the day it
    was received); commit once. Raises InvalidAmount for an amount <= 0 or absurdly large."""
    if amount_cents <= 0 or amount_cents > MAX_TRANSFER_CENTS:
        raise InvalidAmount()
    payment = ContributionPayment(
        enterprise_id=enterprise.id,
        amount_cents=amount_cents,
        method="transfer",
        reference=reference.strip()[:120],
        status="paid",
        paid_at=local_to_utc(received_on, time(12)),
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(payment)
    db.session.commit()
    return payment


# --------------------------------------------------------------------------- admin overview


@dataclass
class ContributorRow:
    enterprise: Enterprise
    pledge: ContributionPledge | None
    paid_this_year_cents: int
    last_payment: ContributionPayment | None


def contributors(now: datetime | None = None) -> list[ContributorRow]:
    """Every enterprise with its current pledge, what it paid this (local) year and its last
    paid contribution; a fixed number of queries whatever the number of enterprises."""
    year = local_date(now or utcnow()).year
    start = local_to_utc(date(year, 1, 1), time(0))
    end = local_to_utc(date(year + 1, 1, 1), time(0))
    enterprises = list(db.session.scalars(select(Enterprise).order_by(Enterprise.name)))
    latest = (
        select(
            ContributionPledge.id,
            func.row_number()
            .over(
                partition_by=ContributionPledge.enterprise_id,
                order_by=(ContributionPledge.created_at.desc(), ContributionPledge.id.desc()),
            )
            .label("rank"),
        )
    ).subquery()
    pledges = {
        p.enterprise_id: p
        for p in db.session.scalars(
            select(ContributionPledge)
            .join(latest, latest.c.id == ContributionPledge.id)
            .where(latest.c.rank == 1)
        )
    }
    paid = dict(
        db.session.execute(
            select(ContributionPayment.enterprise_id, func.sum(ContributionPayment.amount_cents))
            .where(
                ContributionPayment.status == "paid",
                ContributionPayment.paid_at >= start,
                ContributionPayment.paid_at < end,
            )
            .group_by(ContributionPayment.enterprise_id)
        ).all()
    )
    last_rank = (
        select(
            ContributionPayment.id,
            func.row_number()
            .over(
                partition_by=ContributionPayment.enterprise_id,
                order_by=(ContributionPayment.paid_at.desc(), ContributionPayment.id.desc()),
            )
            .label("rank"),
        ).where(ContributionPayment.status == "paid")
    ).subquery()
    last = {
        p.enterprise_id: p
        for p in db.session.scalars(
            select(ContributionPayment)
            .join(last_rank, last_rank.c.id == ContributionPayment.id)
            .where(last_rank.c.rank == 1)
        )
    }
    return [
        ContributorRow(e, pledges.get(e.id), int(paid.get(e.id) or 0), last.get(e.id))
        for e in enterprises
    ]


def contributors_csv(rows: list[ContributorRow]) -> str:
    """CSV (semicolon, decimal point) of the admin overview."""
    import io

    from core import csvexport
    from core.money import cents_to_decimal

    out = io.StringIO()
    writer = csvexport.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "enterprise_id",
            "enterprise",
            "pledge_eur",
            "rhythm",
            "pledged_on",
            "paid_this_year_eur",
            "last_payment_on",
            "last_payment_eur",
            "last_payment_method",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.enterprise.id,
                row.enterprise.name,
                cents_to_decimal(row.pledge.amount_cents) if row.pledge else "",
                row.pledge.rhythm.value if row.pledge else "",
                local_date(row.pledge.created_at).isoformat() if row.pledge else "",
                cents_to_decimal(row.paid_this_year_cents),
                local_date(row.last_payment.paid_at).isoformat()
                if row.last_payment and row.last_payment.paid_at
                else "",
                cents_to_decimal(row.last_payment.amount_cents) if row.last_payment else "",
                row.last_payment.method if row.last_payment else "",
            ]
        )
    return out.getvalue()
