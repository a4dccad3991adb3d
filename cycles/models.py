"""Order cycles of a hub: when citizens may order, what is offered, where and when to collect."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.timeutils import utcnow

if TYPE_CHECKING:
    from enterprises.models import Enterprise
    from hubs.models import DistributionPoint
    from products.models import Variant


class CycleState(StrEnum):
    draft = "draft"
    upcoming = "upcoming"
    open = "open"
    closed = "closed"
    done = "done"


class OrderCycle(Model):
    """A hub's order cycle. Its state is derived from the times (see :meth:`state_at`)."""

    __tablename__ = "order_cycles"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        CheckConstraint("order_cap IS NULL OR order_cap > 0", name="order_cap_positive"),
        CheckConstraint("orders_count >= 0", name="orders_count_not_negative"),
        Index("ix_order_cycles_hub_closes", "hub_id", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    #: a draft is visible to the hub's managers only
    published: Mapped[bool] = mapped_column(default=False)
    #: "close now": the cycle closed before its planned time
    closed_early_at: Mapped[datetime | None]
    #: all orders handed over; set by the hub or after the last pickup window
    done_at: Mapped[datetime | None]
    repeat_weekly: Mapped[bool] = mapped_column(default=False)
    #: the cycle this one was rolled or duplicated from (unique: rolling is idempotent)
    rolled_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_cycles.id", ondelete="SET NULL"), unique=True
    )
    order_cap: Mapped[int | None]
    #: placed orders not cancelled, kept by the order service under the cycle row lock
    orders_count: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    #: when the producers' order lists were e-mailed (sent once)
    producer_lists_sent_at: Mapped[datetime | None]
    #: when followers were told that the cycle opened (sent once)
    open_notice_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    hub: Mapped[Enterprise] = relationship()
    windows: Mapped[list[PickupWindow]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="PickupWindow.starts_at"
    )

    @property
    def effective_closes_at(self) -> datetime:
        if self.closed_early_at is not None and self.closed_early_at < self.closes_at:
            return self.closed_early_at
        return self.closes_at

    def state_at(self, now: datetime) -> CycleState:
        if not self.published:
            return CycleState.draft
        if self.done_at is not None:
            return CycleState.done
        if now < self.opens_at:
            return CycleState.upcoming
        if now < self.effective_closes_at:
            return CycleState.open
        return CycleState.closed

    def is_open(self, now: datetime) -> bool:
        return self.state_at(now) is CycleState.open

    def __repr__(self) -> str:
        return f"<OrderCycle {self.id} {self.name!r} hub={self.hub_id}>"


class PickupWindow(Model):
    """When and where the orders of a cycle are collected."""

    __tablename__ = "pickup_windows"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("order_cycles.id", ondelete="CASCADE"), index=True
    )
    distribution_point_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_points.id", ondelete="RESTRICT"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    cycle: Mapped[OrderCycle] = relationship(back_populates="windows")
    distribution_point: Mapped[DistributionPoint] = relationship()
    slots: Mapped[list[PickupSlot]] = relationship(
        back_populates="window", cascade="all, delete-orphan", order_by="PickupSlot.starts_at"
    )


class PickupSlot(Model):
    """A time slot inside a window with a capacity (maximum orders)."""

    __tablename__ = "pickup_slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(
        ForeignKey("pickup_windows.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    #: orders holding this slot; changed only under the slot's row lock
    booked: Mapped[int] = mapped_column(default=0)

    window: Mapped[PickupWindow] = relationship(back_populates="slots")

    @property
    def is_full(self) -> bool:
        return self.booked >= self.capacity


class FeeKind(StrEnum):
    percent = "percent"
    fixed = "fixed"


class CycleOffer(Model):
    """A producer variant sold in a cycle, with its optional cycle cap and the hub's fee.

    ``remaining`` is the cycle cap left (None: no cap, the variant's stock rules alone).
    The customer price is the producer price plus the hub fee (see orders.pricing).
    """

    __tablename__ = "cycle_offers"
    __table_args__ = (
        UniqueConstraint("cycle_id", "variant_id"),
        CheckConstraint("remaining IS NULL OR remaining >= 0", name="remaining_not_negative"),
        CheckConstraint("hub_fee_value >= 0", name="hub_fee_not_negative"),
        Index("ix_cycle_offers_cycle_producer", "cycle_id", "producer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("order_cycles.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    producer_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    #: the cycle cap as set by the hub (None: no cap)
    stock_cap: Mapped[int | None]
    remaining: Mapped[int | None]
    hub_fee_kind: Mapped[FeeKind] = mapped_column(
        Enum(FeeKind, native_enum=False, length=10), default=FeeKind.percent
    )
    #: basis points when percent (10 % = 1000), cents per item when fixed
    hub_fee_value: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    cycle: Mapped[OrderCycle] = relationship()
    variant: Mapped[Variant] = relationship()
