"""Carts, orders and order lines."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.timeutils import utcnow
from orders import fulfilment
from orders.fulfilment import FulfilmentOption

# the states and their labels are the lifecycle's (orders.states); re-exported here
from orders.states import OrderStatus, PaymentMethod, PaymentStatus, payment_label

if TYPE_CHECKING:
    from accounts.models import User
    from cycles.models import CycleOffer, OrderCycle, PickupSlot, PickupWindow
    from enterprises.models import Enterprise
    from hubs.terms.models import SalesTerms


class Cart(Model):
    """A logged-in user's cart for one cycle (guests keep theirs in the session)."""

    __tablename__ = "carts"
    __table_args__ = (UniqueConstraint("user_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("order_cycles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )


class CartItem(Model):
    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("cart_id", "offer_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("cycle_offers.id", ondelete="CASCADE"))
    quantity: Mapped[int]

    cart: Mapped[Cart] = relationship(back_populates="items")
    offer: Mapped[CycleOffer] = relationship()


class Order(Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total_cents >= 0", name="total_not_negative"),
        CheckConstraint("commission_cents >= 0", name="commission_not_negative"),
        Index("ix_orders_cycle_status", "cycle_id", "status"),
        Index("ix_orders_status_hold", "status", "hold_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: shown to people ("2026-000123"); unique
    number: Mapped[str] = mapped_column(String(20), unique=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("order_cycles.id", ondelete="RESTRICT"))
    hub_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: contact snapshot for the hub; wiped when the account is deleted
    customer_name: Mapped[str] = mapped_column(String(120), default="")
    customer_email: Mapped[str] = mapped_column(String(254), default="")
    customer_phone: Mapped[str] = mapped_column(String(40), default="")
    pickup_window_id: Mapped[int] = mapped_column(
        ForeignKey("pickup_windows.id", ondelete="RESTRICT"), index=True
    )
    pickup_slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("pickup_slots.id", ondelete="SET NULL")
    )
    status: Mapped[OrderStatus] = mapped_column(Enum(OrderStatus, native_enum=False, length=20))
    payment_method: Mapped[PaymentMethod] = mapped_column(
        Enum(PaymentMethod, native_enum=False, length=20)
    )
    payment_status: Mapped[PaymentStatus] = mapped_column(
        Enum(PaymentStatus, native_enum=False, length=20), default=PaymentStatus.unpaid
    )
    #: the client's checkout token: a double submission finds the first order
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: sum of line totals = what the citizen pays for the products (hub fees included)
    total_cents: Mapped[int] = mapped_column(default=0)
    #: the hub's share inside total_cents
    hub_fee_cents: Mapped[int] = mapped_column(default=0)
    #: VAT contained in total_cents
    vat_cents: Mapped[int] = mapped_column(default=0)
    #: the 1 % support commission on this order (see coop rules), inside the hub's revenue
    commission_cents: Mapped[int] = mapped_column(default=0)
    #: refunded to the citizen so far
    refunded_cents: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    customer_note: Mapped[str] = mapped_column(Text, default="")
    staff_note: Mapped[str] = mapped_column(Text, default="")
    terms_accepted_at: Mapped[datetime | None]
    #: the version of the hub's sales terms the buyer accepted (``hubs.terms``); kept as is when
    #: the hub saves a new version
    sales_terms_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_terms.id", ondelete="RESTRICT"), index=True
    )
    hold_expires_at: Mapped[datetime | None]
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    collected_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cycle: Mapped[OrderCycle] = relationship()
    hub: Mapped[Enterprise] = relationship()
    customer: Mapped[User | None] = relationship()
    pickup_window: Mapped[PickupWindow] = relationship()
    pickup_slot: Mapped[PickupSlot | None] = relationship()
    sales_terms: Mapped[SalesTerms | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )

    @property
    def payment_label(self) -> str:
        """The payment state as people read it (orders.states.payment_label)."""
        return payment_label(self.payment_status, self.payment_method)

    @property
    def fulfilment(self) -> FulfilmentOption:
        """How the order is collected (orders.fulfilment: today its pickup window and slot)."""
        return fulfilment.of_order(self)

    def __repr__(self) -> str:
        return f"<Order {self.id} {self.number} {self.status}>"


class OrderLine(Model):
    """A line with the prices as they were when ordered (catalogue changes do not rewrite it).

    ``line_total_cents`` is stored once computed (see orders.pricing); for a sold-by-weight item it
    is an estimate until ``final_weight_g`` is set at packing.
    """

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("line_total_cents >= 0", name="line_total_not_negative"),
        Index("ix_order_lines_producer_order", "producer_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("cycle_offers.id", ondelete="SET NULL"), index=True
    )
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variants.id", ondelete="SET NULL"), index=True
    )
    producer_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"))
    product_name: Mapped[str] = mapped_column(String(150))
    variant_name: Mapped[str] = mapped_column(String(120))
    sku: Mapped[str] = mapped_column(String(64), default="")
    quantity: Mapped[int]
    #: per unit, VAT included; for sold-by-weight items: per kg
    producer_price_cents: Mapped[int]
    hub_fee_cents: Mapped[int]
    unit_price_cents: Mapped[int]
    vat_rate_bp: Mapped[int]
    sold_by_weight: Mapped[bool] = mapped_column(default=False)
    #: estimated weight of one item (grams) for sold-by-weight lines
    estimated_weight_g: Mapped[int | None]
    #: total weight actually packed (grams), set by the hub or producer
    final_weight_g: Mapped[int | None]
    line_total_cents: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")
    offer: Mapped[CycleOffer | None] = relationship()
    producer: Mapped[Enterprise] = relationship()


class ActorKind(StrEnum):
    """Who changed an order. Names are stored: never rename members."""

    citizen = "citizen"
    hub = "hub"
    producer = "producer"
    #: the platform itself (an expired hold, a job)
    system = "system"
    #: a Stripe webhook (a card payment succeeded or failed)
    stripe = "stripe"


class EventKind(StrEnum):
    """What changed. Names are stored: never rename members."""

    placed = "placed"
    #: paid by card (the Stripe webhook)
    paid = "paid"
    payment_failed = "payment_failed"
    #: paid at pickup, recorded by the hub (cash, cheque, card terminal, transfer)
    marked_paid = "marked_paid"
    #: the balance a line edit left, paid at pickup
    balance_paid = "balance_paid"
    cancelled = "cancelled"
    #: a card order not paid before its hold expired: cancelled, stock released
    hold_released = "hold_released"
    refunded = "refunded"
    lines_changed = "lines_changed"
    #: the citizen chose another pickup window or slot (orders.lifecycle.change_pickup)
    pickup_changed = "pickup_changed"
    collected = "collected"
    uncollected = "uncollected"
    #: the hub's staff note changed (never shown to the citizen)
    note = "note"


class OrderEvent(Model):
    """One change of an order, written by the change itself (orders.history.record_event).

    ``detail`` holds what the kind needs, e.g. for ``lines_changed``: ``{"lines": [{"name",
    "quantity_before", "quantity_after", "weight_before_g", "weight_after_g"}]}``.
    """

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order_id_id", "order_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[EventKind] = mapped_column(Enum(EventKind, native_enum=False, length=20))
    actor_kind: Mapped[ActorKind] = mapped_column(Enum(ActorKind, native_enum=False, length=20))
    #: the person who acted, when there is one
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the name shown ("La Grange" for a hub), as it was at the time
    actor_name: Mapped[str] = mapped_column(String(150), default="")
    total_before_cents: Mapped[int | None]
    total_after_cents: Mapped[int | None]
    #: the money moved by the event (paid, refunded), if any
    amount_cents: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
    #: declared so that a flush writes an order before its events (checkout writes both at once)
    order: Mapped[Order] = relationship()
