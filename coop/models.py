"""The cooperative model: free contributions, the 1 % support commission, statements, costs."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model
from core.timeutils import utcnow

# the commission ledger lives beside the order's money (payments); the coop reads it
from payments.models import CommissionEntry as CommissionEntry
from payments.models import CommissionKind as CommissionKind


class Rhythm(StrEnum):
    monthly = "monthly"
    yearly = "yearly"


class ContributionPledge(Model):
    """What an enterprise chose to contribute; the latest row is the current pledge."""

    __tablename__ = "contribution_pledges"
    __table_args__ = (CheckConstraint("amount_cents >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    amount_cents: Mapped[int]
    rhythm: Mapped[Rhythm] = mapped_column(Enum(Rhythm, native_enum=False, length=10))
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContributionPayment(Model):
    """A contribution actually received (card through Stripe, or a transfer the admin records)."""

    __tablename__ = "contribution_payments"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    amount_cents: Mapped[int]
    #: "card" or "transfer"
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(120), default="")
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: "pending" (card not confirmed yet) or "paid"
    status: Mapped[str] = mapped_column(String(10), default="paid")
    paid_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Statement(Model):
    """A monthly statement of an enterprise, numbered in one gap-free sequence."""

    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("enterprise_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "2026-000042": sequence number, unique, never reused (EU invoicing rules)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"))
    #: the first day of the month covered
    month: Mapped[date]
    sales_cents: Mapped[int] = mapped_column(default=0)
    commission_due_cents: Mapped[int] = mapped_column(default=0)
    commission_collected_cents: Mapped[int] = mapped_column(default=0)
    contribution_pledged_cents: Mapped[int] = mapped_column(default=0)
    contribution_paid_cents: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlatformCost(Model):
    """A published running cost of the platform (hosting, support time...), per year."""

    __tablename__ = "platform_costs"
    __table_args__ = (CheckConstraint("yearly_cents >= 0", name="yearly_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(150))
    yearly_cents: Mapped[int]
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupportRequest(Model):
    __tablename__ = "support_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: "open" or "answered"
    status: Mapped[str] = mapped_column(String(10), default="open")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
