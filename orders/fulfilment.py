"""Fulfilment: how an order reaches its buyer, through one fulfilment option.

Today there is one kind, **pickup**: a pickup window of the cycle (a distribution point, a day
and hours) and, when the window has slots, one slot (its own hours and capacity). An order's
option is built from its window and slot (``pickup_window_id``, ``pickup_slot_id``): no column
says "pickup" because nothing else exists yet. Home delivery will be another kind (an address,
a delivery round) built by its own constructor; the code that *describes* how an order is
collected (checkout, the order pages, the e-mails) reads a :class:`FulfilmentOption` and does not
look at windows and slots itself.

- :func:`options_for` lists the options a cycle offers (checkout), grouped by where and when;
- :func:`chosen` reads the option a checkout form chose (its ``value``), checked against the cycle;
- :func:`of_order` is the option an order is fulfilled through (``Order.fulfilment``).

Taking and giving back a slot's capacity stays in ``orders.stock`` (under the checkout's locks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.db import db
from cycles.models import OrderCycle, PickupSlot, PickupWindow

if TYPE_CHECKING:
    from hubs.models import DistributionPoint
    from orders.models import Order


class FulfilmentKind(StrEnum):
    pickup = "pickup"

    @property
    def label(self) -> str:
        return str(FULFILMENT_LABELS[self])


FULFILMENT_LABELS = {FulfilmentKind.pickup: _l("Pickup")}


@dataclass(frozen=True)
class FulfilmentOption:
    """One way of receiving an order: today a pickup window, with its slot if it has slots."""

    kind: FulfilmentKind
    window: PickupWindow
    slot: PickupSlot | None = None

    @property
    def value(self) -> str:
        """The option as a form value ("<window>:<slot or 0>"), read back by :func:`chosen`."""
        return f"{self.window.id}:{self.slot.id if self.slot else 0}"

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def point(self) -> DistributionPoint:
        return self.window.distribution_point

    @property
    def place(self) -> str:
        """Where: the distribution point's name."""
        return self.point.name

    @property
    def address(self) -> str:
        """The place's address on one line ("" when it has none)."""
        point = self.point
        if not point.address:
            return ""
        return f"{point.address} {point.postcode} {point.city}".strip()

    @property
    def instructions(self) -> str:
        return self.point.access_instructions or ""

    @property
    def starts_at(self) -> datetime:
        return self.slot.starts_at if self.slot else self.window.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.slot.ends_at if self.slot else self.window.ends_at

    @property
    def slot_id(self) -> int | None:
        return self.slot.id if self.slot else None

    @property
    def is_full(self) -> bool:
        return self.slot is not None and self.slot.is_full

    @property
    def places_left(self) -> int | None:
        """Places left in the slot (None: no limit)."""
        return None if self.slot is None else max(0, self.slot.capacity - self.slot.booked)


def pickup(window: PickupWindow, slot: PickupSlot | None = None) -> FulfilmentOption:
    return FulfilmentOption(FulfilmentKind.pickup, window, slot)


def of_order(order: Order) -> FulfilmentOption:
    """The option the order is fulfilled through."""
    return pickup(order.pickup_window, order.pickup_slot)


@dataclass(frozen=True)
class OptionGroup:
    """Options sharing a place and a day (a pickup window and its slots), for the checkout."""

    window: PickupWindow
    options: list[FulfilmentOption]

    @property
    def point(self) -> DistributionPoint:
        return self.window.distribution_point


def options_for(cycle: OrderCycle) -> list[OptionGroup]:
    """Every option the cycle offers, by window start (a window with slots: one per slot)."""
    windows = db.session.scalars(
        select(PickupWindow)
        .where(PickupWindow.cycle_id == cycle.id)
        .options(joinedload(PickupWindow.distribution_point), selectinload(PickupWindow.slots))
        .order_by(PickupWindow.starts_at)
    )
    return [
        OptionGroup(w, [pickup(w, s) for s in w.slots] if w.slots else [pickup(w)]) for w in windows
    ]


def chosen(cycle: OrderCycle, value: str) -> FulfilmentOption | None:
    """The option a form value names, if the cycle offers it (None otherwise)."""
    window_id, _sep, slot_id = (value or "").partition(":")
    if not window_id.isdigit() or not (slot_id or "0").isdigit():
        return None
    window = db.session.scalar(
        select(PickupWindow)
        .where(PickupWindow.id == int(window_id), PickupWindow.cycle_id == cycle.id)
        .options(joinedload(PickupWindow.distribution_point))
    )
    if window is None:
        return None
    if not slot_id or slot_id == "0":
        return pickup(window)
    slot = db.session.get(PickupSlot, int(slot_id))
    if slot is None or slot.window_id != window.id:
        return None
    return pickup(window, slot)
