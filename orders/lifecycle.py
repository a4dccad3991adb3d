"""An order's life after checkout: the one cancel path, expired holds, the one change-lines
path, the citizen's change of pickup, the citizen's orders. States move through
orders.states; every change writes an event (orders.history) and says so after the commit
(orders.signals)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accounts.models import User
from core.db import db
from cycles.models import PickupWindow
from cycles.services import require_open
from notifications.services import queue_email
from orders import fulfilment, pricing
from orders.checkout import new_line, order_link, order_locale
from orders.errors import (
    InsufficientStock,
    OfferUnavailable,
    OrderNotCancellable,
    OrderNotEditable,
    PickupNotOffered,
    Shortage,
)
from orders.fulfilment import FulfilmentOption
from orders.history import Actor, record_event
from orders.models import (
    EventKind,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from orders.signals import (
    HOLD_KEEP,
    hold_expiring,
    order_cancelled,
    order_lines_changed,
)
from orders.states import move_order, move_payment
from orders.stock import (
    MAX_QUANTITY,
    _book_slot,
    _lock_cycle,
    _lock_slot,
    _lock_stock,
    _return_stock,
    _sellable,
    _take_stock,
    available_quantity,
    item_name,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- e-mails


#: the reasons the code itself gives, told to the citizen in their language
_CITIZEN_REASONS = {
    "cancelled by the customer": _l("You cancelled this order."),
    "all items removed by the customer": _l("You removed every item of this order."),
    "hold expired": _l("The payment was not completed in time."),
}


def _queue_cancellation(order: Order, reason: object) -> None:
    """Queue the "order cancelled" e-mail; the reason is rendered in the citizen's locale."""
    if not order.customer_email:
        return
    if isinstance(reason, str):
        reason = _CITIZEN_REASONS.get(reason, reason)
    queue_email(
        to=order.customer_email,
        template="emails/orders/cancelled",
        locale=order_locale(order),
        kind="order_cancelled",
        dedupe_key=f"order_cancelled:{order.id}",
        order=order,
        reason=reason,
        link=order_link(order),
    )


# --------------------------------------------------------------------------- cancel, expire, edit


def lock_order(order_id: int, *, skip_locked: bool = False) -> Order | None:
    return db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    )


def _release(order: Order) -> None:
    """Give back the stock of an order being cancelled (then ``_free_place``, just before the
    commit, gives back its slot and cycle place)."""
    offers = _lock_stock(line.offer_id for line in order.lines if line.offer_id is not None)
    for line in order.lines:
        if line.offer_id is not None:
            _return_stock(offers.get(line.offer_id), line.quantity)


def _free_place(order: Order) -> None:
    """Give back the slot and the cycle place (the last locks, right before the commit)."""
    if order.pickup_slot_id is not None:
        slot = _lock_slot(order.pickup_slot_id)
        if slot is not None and slot.booked > 0:
            slot.booked -= 1
    cycle = _lock_cycle(order.cycle_id)
    if cycle.orders_count > 0:
        cycle.orders_count -= 1


def _default_actor(order: Order, actor: User | None) -> Actor:
    """Who cancels, when the caller says only the user: the customer, a hub member, or the
    platform (no user)."""
    if actor is None:
        return Actor.system()
    if order.customer_id is not None and actor.id == order.customer_id:
        return Actor.citizen(actor, order)
    return Actor.hub(actor, order)


def cancel_order(
    order: Order,
    *,
    actor: User | None = None,
    by: Actor | None = None,
    restock: bool = True,
    reason: str = "",
    expired_before: datetime | None = None,
) -> Order:
    """Cancel an order: the one cancel path (citizen, hub, expired hold, late card payment).

    Under the order's lock: the state moves to cancelled (orders.states), the stock (unless
    ``restock`` is False), slot and cycle place are returned, an unpaid card payment goes back
    to unpaid, the commission is synced, the "order cancelled" e-mail queued and one event
    written (``hold_released`` for an expired hold, else ``cancelled``, with ``by`` and the
    ``reason``); commit once. Then, after the commit, ``order_cancelled`` is sent: payments
    refunds what was paid by card, or cancels the open PaymentIntent.
    ``expired_before``: release an expired hold only, i.e. only if, under the lock, the order
    still awaits its payment and its hold expired before that instant (else nothing happens).
    An order already cancelled is not changed, but ``order_cancelled`` is sent again: a
    payment that arrived after the cancellation (the webhook) is given back that way.
    Raises OrderNotCancellable for a collected order.
    """
    by = by or _default_actor(order, actor)
    # an expired hold being paid right now (its row locked) is left for the next run
    locked = lock_order(order.id, skip_locked=expired_before is not None)
    if locked is None:
        db.session.commit()
        return order
    order = locked
    if expired_before is not None and not (
        order.status is OrderStatus.pending_payment
        and order.hold_expires_at is not None
        and order.hold_expires_at < expired_before
        and order.payment_status is not PaymentStatus.paid
    ):
        db.session.commit()
        return order
    if order.status is OrderStatus.cancelled:
        db.session.commit()
        order_cancelled.send(order, by=by, reason=reason)
        return order
    if order.status is OrderStatus.collected:
        db.session.rollback()
        raise OrderNotCancellable()
    total_before = order.total_cents
    if restock:
        _release(order)
    move_order(order, OrderStatus.cancelled)
    order.cancelled_at = expired_before or _now()
    order.hold_expires_at = None
    if order.payment_status is PaymentStatus.pending:
        move_payment(order, PaymentStatus.unpaid)
    # the commission ledger is the payments' (it syncs on order_cancelled, after the commit)
    expired = expired_before is not None
    _queue_cancellation(order, "hold expired" if expired else reason)
    record_event(
        order,
        EventKind.hold_released if expired else EventKind.cancelled,
        by,
        total_before_cents=total_before,
        reason=reason,
        detail={} if restock else {"restocked": False},
    )
    _free_place(order)
    db.session.commit()
    order_cancelled.send(order, by=by, reason=reason)
    return order


def _now() -> datetime:
    from core.timeutils import utcnow

    return utcnow()


def release_expired_holds(now: datetime) -> int:
    """Cancel card orders never paid before ``hold_expires_at``; return how many were released.

    Each order, in turn: ``hold_expiring`` is sent first, outside any lock (payments asks
    Stripe for the PaymentIntent: one that succeeded marks the order paid, one under way keeps
    it for the webhook, an open one is cancelled at Stripe before the order is), then the one
    cancel path releases it in its own transaction, re-checking the hold under the order's lock
    (SKIP LOCKED: an order being paid right now is left for the next run). Run by cron:
    ``flask orders release-expired``.
    """
    ids = list(
        db.session.scalars(
            select(Order.id)
            .where(
                Order.status == OrderStatus.pending_payment,
                Order.hold_expires_at.is_not(None),
                Order.hold_expires_at < now,
            )
            .order_by(Order.id)
        )
    )
    db.session.commit()
    released = 0
    for order_id in ids:
        order = db.session.get(Order, order_id)
        if order is None or order.status is not OrderStatus.pending_payment:
            continue
        answers = [answer for _receiver, answer in hold_expiring.send(order)]
        db.session.commit()
        if HOLD_KEEP in answers:
            continue
        order = cancel_order(order, by=Actor.system(), reason="hold expired", expired_before=now)
        if order.status is OrderStatus.cancelled and order.cancelled_at == now:
            released += 1
    return released


def can_citizen_change(order: Order, now: datetime) -> bool:
    """Citizens may edit or cancel until the cycle closes, when the hub allows it."""
    return (
        order.status in (OrderStatus.confirmed, OrderStatus.pending_payment)
        and order.hub.allows_order_changes
        and order.cycle.is_open(now)
    )


@dataclass(frozen=True)
class LineDiff:
    """One line as a change left it (the event's detail, the "order changed" e-mail)."""

    name: str
    quantity_before: int
    quantity_after: int
    weight_before_g: int | None
    weight_after_g: int | None
    total_before_cents: int
    total_after_cents: int

    @property
    def removed(self) -> bool:
        return self.quantity_after == 0

    def as_detail(self) -> dict[str, object]:
        return {
            "name": self.name,
            "quantity_before": self.quantity_before,
            "quantity_after": self.quantity_after,
            "weight_before_g": self.weight_before_g,
            "weight_after_g": self.weight_after_g,
        }


def line_name(line: OrderLine) -> str:
    return f"{line.product_name} ({line.variant_name})" if line.variant_name else line.product_name


def change_lines(
    order: Order,
    quantities: dict[int, int],
    *,
    weights: dict[int, int] | None = None,
    added: dict[int, int] | None = None,
    only_offered: bool,
) -> list[LineDiff]:
    """The one change-lines path (the citizen's edit and the hub's): apply, flush, say what changed.

    ``quantities``: {line id: new quantity} (0 removes the line); ``weights``: {line id: final
    weight in grams} (sold-by-weight lines: the caller checks); ``added``: {offer id: quantity},
    new lines. The caller holds the order's lock and has checked who may change what. Locks the
    variants and offers of the changed lines (then, with ``only_offered``, the cycle row, last);
    more items are checked like a checkout (InsufficientStock, every shortage at once; an item
    no longer in the catalogue: OfferUnavailable; with ``only_offered``, also one the cycle no
    longer offers), fewer are returned to stock. A packed weight no longer matching a new number
    of items is cleared. Totals are recomputed from the lines' price snapshots. Returns the
    changed lines (empty: nothing changed). Flush only: the caller records the event, commits.
    """
    weights = weights or {}
    added = {oid: q for oid, q in (added or {}).items() if q > 0}
    by_id = {line.id: line for line in order.lines}
    quantities = {lid: max(0, q) for lid, q in quantities.items() if lid in by_id}
    before = {
        line.id: (line.quantity, pricing.line_weight_g(line), line.line_total_cents)
        for line in order.lines
    }
    deltas: dict[int, int] = {}  # {line id: more (+) or fewer (-) items}
    for lid, quantity in quantities.items():
        if quantity != by_id[lid].quantity:
            deltas[lid] = quantity - by_id[lid].quantity
    if any(by_id[lid].offer_id is None and d > 0 for lid, d in deltas.items()):
        raise OfferUnavailable()
    offer_ids = [by_id[lid].offer_id for lid in deltas if by_id[lid].offer_id is not None]
    offers = _lock_stock([*offer_ids, *added])  # type: ignore[list-item]
    cycle = _lock_cycle(order.cycle_id) if only_offered else None  # last: nothing after it
    wanted: list[tuple[int, int]] = [
        (by_id[lid].offer_id, d)  # type: ignore[misc]
        for lid, d in deltas.items()
        if d > 0
    ]
    wanted += list(added.items())
    shortages: list[Shortage] = []
    for offer_id, more in wanted:
        offer = offers.get(offer_id)
        if offer is None or (cycle is not None and not _sellable(offer, cycle)):
            raise OfferUnavailable()
        available = available_quantity(offer, offer.variant)
        if available is not None and more > available:
            shortages.append(Shortage(offer_id, item_name(offer.variant), more, available))
    if shortages:
        raise InsufficientStock(shortages)
    for lid, line in by_id.items():
        delta = deltas.get(lid, 0)
        offer = offers.get(line.offer_id) if line.offer_id is not None else None
        if delta > 0 and offer is not None:
            _take_stock(offer, delta)
        elif delta < 0:
            _return_stock(offer, -delta)
        if lid in quantities and quantities[lid] == 0:
            order.lines.remove(line)
            continue
        if line.sold_by_weight and line.final_weight_g is not None and delta != 0:
            line.final_weight_g = None
        line.quantity = quantities.get(lid, line.quantity)
        if line.sold_by_weight and lid in weights:
            line.final_weight_g = weights[lid]
    new_lines = []
    for offer_id, quantity in added.items():
        offer = offers[offer_id]
        _take_stock(offer, quantity)
        new_lines.append(new_line(offer, quantity))
        order.lines.append(new_lines[-1])
    pricing.recompute_totals(order)
    diffs: list[LineDiff] = []
    for lid, (qty, weight, total) in before.items():
        kept = next((ln for ln in order.lines if ln.id == lid), None)
        after = (
            (kept.quantity, pricing.line_weight_g(kept), kept.line_total_cents)
            if kept is not None
            else (0, None, 0)
        )
        if (qty, weight, total) != after:
            diffs.append(
                LineDiff(line_name(by_id[lid]), qty, after[0], weight, after[1], total, after[2])
            )
    for line in new_lines:
        diffs.append(
            LineDiff(
                line_name(line),
                0,
                line.quantity,
                None,
                pricing.line_weight_g(line),
                0,
                line.line_total_cents,
            )
        )
    db.session.flush()
    return diffs


def update_order_lines(
    order: Order, changes: dict[int, int], *, actor: User | None, now: datetime | None = None
) -> Order:
    """The citizen changes quantities before the cycle closes ({offer_id: new quantity}; 0 removes).

    Only unpaid pay-at-pickup orders can be edited (an order paid online is cancelled, which
    refunds it, and placed again: no partial charge to reconcile). The one change-lines path
    (``change_lines``) does the work under locks; one event is written. Removing every line
    cancels the order (the one cancel path). Raises OrderNotEditable, OfferUnavailable,
    InsufficientStock.
    """
    now = now or _now()
    locked = lock_order(order.id)
    assert locked is not None
    order = locked
    if not can_citizen_change(order, now):
        raise OrderNotEditable()
    if order.payment_method is not PaymentMethod.at_pickup or order.payment_status not in (
        PaymentStatus.unpaid,
    ):
        raise OrderNotEditable(
            _l(
                "An order paid online cannot be changed: cancel it (you are refunded) "
                "and order again."
            )
        )
    by = Actor.citizen(actor, order)
    line_of = {line.offer_id: line for line in order.lines if line.offer_id is not None}
    target = {int(k): max(0, min(int(v), MAX_QUANTITY)) for k, v in changes.items()}
    remaining = {oid: target.get(oid, line.quantity) for oid, line in line_of.items()}
    remaining.update({k: v for k, v in target.items() if k not in line_of})
    if not any(q > 0 for q in remaining.values()):
        db.session.commit()
        return cancel_order(order, by=by, reason="all items removed by the customer")
    total_before = order.total_cents
    diffs = change_lines(
        order,
        {line_of[oid].id: q for oid, q in target.items() if oid in line_of},
        added={oid: q for oid, q in target.items() if oid not in line_of},
        only_offered=True,
    )
    if diffs:
        record_event(
            order,
            EventKind.lines_changed,
            by,
            total_before_cents=total_before,
            total_after_cents=order.total_cents,
            detail={"lines": [d.as_detail() for d in diffs]},
        )
    db.session.commit()
    if diffs:
        order_lines_changed.send(order, by=by, total_before_cents=total_before)
    return order


def _pickup_detail(option: FulfilmentOption) -> dict[str, object]:
    return {
        "place": option.place,
        "starts_at": option.starts_at.isoformat(),
        "ends_at": option.ends_at.isoformat(),
        "window_id": option.window.id,
        "slot_id": option.slot_id,
    }


def change_pickup(
    order: Order, choice: str, *, actor: User | None, now: datetime | None = None
) -> Order:
    """The citizen chooses another pickup window or slot of the cycle; commit once.

    Allowed while the citizen may change the order (``can_citizen_change``: until the cycle
    closes, when the hub allows changes). ``choice`` is a fulfilment option's value
    (orders.fulfilment). Locks as checkout does: the order, then the slot rows in id order (the
    new slot booked by one conditional UPDATE, SlotFull when it is full; the old slot's place
    given back), then the cycle row, last, checked still open. One ``pickup_changed`` event
    (before/after). Choosing the current option changes nothing. Raises OrderNotEditable,
    PickupNotOffered, SlotFull, CycleClosed.
    """
    now = now or _now()
    locked = lock_order(order.id)
    assert locked is not None
    order = locked
    if not can_citizen_change(order, now):
        raise OrderNotEditable()
    new = fulfilment.chosen(order.cycle, choice)
    if new is None or (new.slot is None and new.window.slots):
        raise PickupNotOffered()
    old = order.fulfilment
    if (new.window.id, new.slot_id) == (old.window.id, old.slot_id):
        db.session.commit()
        return order
    before = _pickup_detail(old)
    slot_ids = {sid for sid in (old.slot_id, new.slot_id) if sid is not None}
    for slot_id in sorted(slot_ids):  # the same order as any other change: no deadlock
        if slot_id == new.slot_id:
            _book_slot(slot_id)
        else:
            slot = _lock_slot(slot_id)
            if slot is not None and slot.booked > 0:
                slot.booked -= 1
    cycle = _lock_cycle(order.cycle_id)  # last: checked open under its lock
    require_open(cycle, now)
    order.pickup_window = new.window
    order.pickup_slot = new.slot
    record_event(
        order,
        EventKind.pickup_changed,
        Actor.citizen(actor, order),
        detail={"before": before, "after": _pickup_detail(order.fulfilment)},
    )
    db.session.commit()
    return order


def orders_of(user: User) -> list[Order]:
    """A citizen's orders, newest first (lines loaded in one more query)."""
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            select(Order)
            .where(Order.customer_id == user.id)
            .options(
                joinedload(Order.hub),
                joinedload(Order.pickup_window).joinedload(PickupWindow.distribution_point),
                selectinload(Order.lines),
            )
            .order_by(Order.placed_at.desc(), Order.id.desc())
        ).unique()
    )
