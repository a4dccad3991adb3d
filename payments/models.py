"""Payments (Stripe PaymentIntents or payment at pickup), refunds, received Stripe events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.timeutils import utcnow

if TYPE_CHECKING:
    from orders.models import Order


class PaymentState(StrEnum):
    created = "created"  # recorded, Stripe not reached yet (retry possible)
    requires_action = "requires_action"
    processing = "processing"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return str(PAYMENT_STATE_LABELS[self])


#: the labels, lazily translated; keyed by member (a member is equal to its stored name)
PAYMENT_STATE_LABELS = {
    PaymentState.created: _l("Started"),
    PaymentState.requires_action: _l("Awaiting the card holder"),
    PaymentState.processing: _l("Processing"),
    PaymentState.succeeded: _l("Succeeded"),
    PaymentState.failed: _l("Failed"),
    PaymentState.cancelled: _l("Cancelled"),
}


class Payment(Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("refunded_cents >= 0", name="refunded_not_negative"),
        #: the backstop of refund_payment's check under the row lock (docs/payments.md)
        CheckConstraint("refunded_cents <= amount_cents", name="refunded_within_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    #: "stripe" or "manual" (cash, cheque, card on site recorded by the hub)
    provider: Mapped[str] = mapped_column(String(20))
    #: for manual payments: cash, cheque, card_on_site, transfer
    method: Mapped[str] = mapped_column(String(20), default="card")
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: the hub's connected account the payment was made on ("" = platform account)
    stripe_account_id: Mapped[str] = mapped_column(String(64), default="")
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    application_fee_cents: Mapped[int] = mapped_column(default=0)
    refunded_cents: Mapped[int] = mapped_column(default=0)
    state: Mapped[PaymentState] = mapped_column(
        Enum(PaymentState, native_enum=False, length=20), default=PaymentState.created
    )
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    succeeded_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()


class RefundKind(StrEnum):
    """Why money went back; the figures count each kind differently (payments.money).

    Names are stored: never rename members.
    """

    #: the hub gives money back for goods that were missing or damaged: lowers what was sold
    goodwill = "goodwill"
    #: a line edit made a paid order cheaper: the overpayment goes back (the total already fell)
    line_edit = "line_edit"
    #: the order was cancelled (also a card payment that arrived after the cancellation)
    cancellation = "cancellation"

    @property
    def label(self) -> str:
        return str(_REFUND_KIND_LABELS[self])


class RefundState(StrEnum):
    """Names are stored: never rename members."""

    #: recorded (the amount is reserved on the payment); Stripe not reached yet: retried by
    #: ``flask payments retry-refunds`` until it succeeds
    pending = "pending"
    succeeded = "succeeded"
    #: Stripe refused it for good (its reason in ``last_error``); the amount is released
    failed = "failed"


_REFUND_KIND_LABELS = {
    RefundKind.goodwill: _l("goodwill refund"),
    RefundKind.line_edit: _l("order changed"),
    RefundKind.cancellation: _l("order cancelled"),
}


class Refund(Model):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_refunds_pending", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    amount_cents: Mapped[int]
    stripe_refund_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[RefundKind] = mapped_column(
        Enum(RefundKind, native_enum=False, length=20), server_default=RefundKind.goodwill.name
    )
    state: Mapped[RefundState] = mapped_column(
        Enum(RefundState, native_enum=False, length=20),
        default=RefundState.succeeded,
        server_default=RefundState.succeeded.name,
    )
    #: Stripe's answer to the last failed attempt
    last_error: Mapped[str] = mapped_column(String(500), default="", server_default="")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when Stripe (or the hub, for a payment at pickup) gave the money back
    succeeded_at: Mapped[datetime | None]


class StripeEvent(Model):
    """Every verified webhook event, once: a replay hits the unique ``event_id`` and is a no-op."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]


class CommissionKind(StrEnum):
    charge = "charge"
    reversal = "reversal"


class CommissionEntry(Model):
    """One movement of the commission ledger (a charge on completion, a reversal on refund)."""

    __tablename__ = "commission_entries"
    __table_args__ = (Index("ix_commission_entries_hub_created", "hub_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[CommissionKind] = mapped_column(Enum(CommissionKind, native_enum=False, length=10))
    #: base of the commission (positive for a charge, negative for a reversal)
    base_cents: Mapped[int]
    #: signed: positive for a charge, negative for a reversal
    amount_cents: Mapped[int]
    #: "application_fee" (collected by Stripe Connect) or "statement" (billed monthly)
    collected_via: Mapped[str] = mapped_column(String(20))
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
