"""Order cycle use cases: create/edit, pickup windows and slots, offers, publish/close, roll.

Times come in as aware UTC instants (views parse local input with ``core.timeutils``); every
rule about times is checked here so HTML and API refuse the same things with the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from core.db import db
from core.timeutils import same_local_time_next_week, utcnow
from cycles import usage
from cycles.errors import (
    CycleClosed,
    CycleInvalid,
    CycleNotOpenYet,
    CycleStateError,
    InUse,
    OfferInvalid,
    OfferNotAllowed,
    ShopClosed,
    SlotInvalid,
    WindowInvalid,
)
from cycles.models import (
    CycleOffer,
    CycleState,
    FeeKind,
    OrderCycle,
    PickupSlot,
    PickupWindow,
)
from cycles.permissions import shop_is_public
from enterprises.models import Enterprise
from hubs import services as hub_services
from hubs.models import DistributionPoint
from products import search as product_search
from products.models import Product, Variant

MAX_PERCENT_BP = 10000  # a 100 % markup at most
MAX_FIXED_CENTS = 100_000
SLOT_MINUTES = (5, 240)

# --------------------------------------------------------------------------- state


def state_of(cycle: OrderCycle, now: datetime | None = None) -> CycleState:
    return cycle.state_at(now or utcnow())


def require_open(cycle: OrderCycle, now: datetime | None = None) -> None:
    """Raise CycleClosed (code ``cycle_closed``) unless citizens may order in the cycle now.

    The one rule "may one order in this cycle": the shop is public (``shop_is_public``: a
    deactivated hub's cycle raises ShopClosed) and the cycle is open. Every cart change and
    checkout (HTML and API) calls it, orders under the cycle's row lock, so a cart checked out
    a second after the close is refused with the same clear message.
    """
    if cycle.published and not shop_is_public(cycle):
        raise ShopClosed()
    state = cycle.state_at(now or utcnow())
    if state is CycleState.open:
        return
    if state is CycleState.upcoming:
        raise CycleNotOpenYet()
    raise CycleClosed()


# --------------------------------------------------------------------------- cycles


@dataclass
class CycleFields:
    name: str
    opens_at: datetime
    closes_at: datetime
    repeat_weekly: bool = False
    order_cap: int | None = None
    message: str = ""


def _utc(value: datetime) -> datetime:
    """Store and return instants in UTC, whatever offset they came with."""
    return value.astimezone(UTC)


def _check_cycle(cycle: OrderCycle | None, fields: CycleFields) -> None:
    errors: dict[str, list[str]] = {}
    if not fields.name.strip():
        errors["name"] = [str(_l("A name is required."))]
    elif len(fields.name.strip()) > 120:
        errors["name"] = [str(_l("At most 120 characters."))]
    if fields.closes_at <= fields.opens_at:
        errors["closes_at"] = [str(_l("The cycle must close after it opens."))]
    if fields.order_cap is not None:
        if fields.order_cap < 1:
            errors["order_cap"] = [str(_l("The order cap must be at least 1."))]
        elif cycle is not None and fields.order_cap < cycle.orders_count:
            errors["order_cap"] = [
                str(
                    _l(
                        "The order cap cannot be below the %(n)s orders already placed.",
                        n=cycle.orders_count,
                    )
                )
            ]
    if cycle is not None and "closes_at" not in errors:
        early = [w for w in cycle.windows if w.starts_at < fields.closes_at]
        if early:
            errors["closes_at"] = [
                str(_l("Pickup windows start before this closing time: move them first."))
            ]
    if errors:
        raise CycleInvalid(fields=errors)


def create_cycle(hub: Enterprise, fields: CycleFields) -> OrderCycle:
    """Create a draft cycle for a hub. Raises CycleInvalid (fields) on bad input."""
    _check_cycle(None, fields)
    cycle = OrderCycle(
        hub_id=hub.id,
        name=fields.name.strip(),
        opens_at=_utc(fields.opens_at),
        closes_at=_utc(fields.closes_at),
        repeat_weekly=fields.repeat_weekly,
        order_cap=fields.order_cap,
        message=fields.message.strip(),
        published=False,
    )
    db.session.add(cycle)
    db.session.commit()
    return cycle


def _lock_cycle(cycle: OrderCycle) -> OrderCycle:
    # NO KEY UPDATE: orders being placed hold KEY SHARE on the cycle row (their foreign key)
    # and lock it last themselves (orders.services); FOR UPDATE would wait for all of them
    db.session.execute(
        select(OrderCycle.id).where(OrderCycle.id == cycle.id).with_for_update(key_share=True)
    ).all()
    db.session.refresh(cycle, attribute_names=["orders_count"])
    return cycle


def update_cycle(cycle: OrderCycle, fields: CycleFields) -> OrderCycle:
    """Change a cycle. Locks the cycle row so the cap is checked against the real order count.

    Raises CycleInvalid: closing before opening, windows before the close, a cap below the
    orders already placed.
    """
    _lock_cycle(cycle)
    _check_cycle(cycle, fields)
    cycle.name = fields.name.strip()
    cycle.opens_at = _utc(fields.opens_at)
    cycle.closes_at = _utc(fields.closes_at)
    cycle.repeat_weekly = fields.repeat_weekly
    cycle.order_cap = fields.order_cap
    cycle.message = fields.message.strip()
    db.session.commit()
    return cycle


def set_order_cap(cycle: OrderCycle, order_cap: int | None) -> OrderCycle:
    """Set or clear the cap on the cycle's orders (never below the orders already placed)."""
    _lock_cycle(cycle)
    fields = CycleFields(
        cycle.name, cycle.opens_at, cycle.closes_at, cycle.repeat_weekly, order_cap, cycle.message
    )
    _check_cycle(cycle, fields)
    cycle.order_cap = order_cap
    db.session.commit()
    return cycle


def publish_cycle(cycle: OrderCycle) -> OrderCycle:
    """Make a draft visible: upcoming, then open at its time. Needs a pickup window."""
    if cycle.done_at is not None:
        raise CycleStateError()
    if not cycle.windows:
        raise CycleInvalid(
            _l("Add at least one pickup window before publishing the cycle."),
            fields={"windows": [str(_l("Add at least one pickup window."))]},
        )
    cycle.published = True
    db.session.commit()
    return cycle


def unpublish_cycle(cycle: OrderCycle) -> OrderCycle:
    """Back to draft, only while no order was placed."""
    _lock_cycle(cycle)
    if cycle.orders_count > 0:
        raise CycleStateError(_l("Orders were placed in this cycle: it cannot go back to draft."))
    cycle.published = False
    db.session.commit()
    return cycle


def close_now(cycle: OrderCycle, now: datetime | None = None) -> OrderCycle:
    """ "Close now": an open cycle stops taking orders at once (``closed_early_at``)."""
    now = now or utcnow()
    _lock_cycle(cycle)
    if cycle.state_at(now) is not CycleState.open:
        raise CycleStateError(_l("Only an open cycle can be closed now."))
    cycle.closed_early_at = now
    db.session.commit()
    return cycle


def mark_done(cycle: OrderCycle, now: datetime | None = None) -> OrderCycle:
    """All orders handed over: a closed cycle becomes done."""
    now = now or utcnow()
    if cycle.state_at(now) is not CycleState.closed:
        raise CycleStateError(_l("Only a closed cycle can be marked done."))
    cycle.done_at = now
    db.session.commit()
    return cycle


def delete_cycle(cycle: OrderCycle) -> None:
    """Delete a draft with no orders."""
    if cycle.published or cycle.orders_count:
        raise CycleStateError(_l("Only a draft without orders can be deleted."))
    db.session.delete(cycle)
    db.session.commit()


# --------------------------------------------------------------------------- windows and slots


def _check_window(
    cycle: OrderCycle, point: DistributionPoint | None, starts_at: datetime, ends_at: datetime
) -> None:
    errors: dict[str, list[str]] = {}
    if point is None or point.hub_id != cycle.hub_id:
        errors["distribution_point_id"] = [str(_l("Choose one of the hub's distribution points."))]
    elif not point.active:
        errors["distribution_point_id"] = [str(_l("This distribution point is inactive."))]
    if ends_at <= starts_at:
        errors["ends_at"] = [str(_l("The pickup window must end after it starts."))]
    if starts_at < cycle.closes_at:
        errors["starts_at"] = [str(_l("Pickup must start after the cycle closes."))]
    if errors:
        raise WindowInvalid(fields=errors)


def add_window(
    cycle: OrderCycle, *, distribution_point_id: int, starts_at: datetime, ends_at: datetime
) -> PickupWindow:
    """Add a pickup window (a point, a day, start and end). Raises WindowInvalid."""
    point = db.session.get(DistributionPoint, distribution_point_id)
    _check_window(cycle, point, starts_at, ends_at)
    window = PickupWindow(
        cycle=cycle,
        distribution_point_id=distribution_point_id,
        starts_at=_utc(starts_at),
        ends_at=_utc(ends_at),
    )
    db.session.add(window)
    db.session.commit()
    return window


def update_window(
    window: PickupWindow, *, distribution_point_id: int, starts_at: datetime, ends_at: datetime
) -> PickupWindow:
    """Move or change a window; its slots must still fit inside it."""
    point = db.session.get(DistributionPoint, distribution_point_id)
    _check_window(window.cycle, point, starts_at, ends_at)
    outside = [s for s in window.slots if s.starts_at < starts_at or s.ends_at > ends_at]
    if outside:
        raise WindowInvalid(
            fields={"ends_at": [str(_l("Some slots would fall outside the window."))]}
        )
    window.distribution_point_id = distribution_point_id
    window.starts_at = _utc(starts_at)
    window.ends_at = _utc(ends_at)
    db.session.commit()
    return window


def remove_window(window: PickupWindow) -> None:
    """Remove a window no order uses (raises InUse otherwise)."""
    if usage.orders().orders_on_window(window.id) or any(s.booked for s in window.slots):
        raise InUse()
    cycle = window.cycle
    cycle.windows.remove(window)
    db.session.delete(window)
    db.session.commit()


def _check_slot(
    window: PickupWindow,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    others: Iterable[PickupSlot],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if capacity is None or capacity < 1:
        errors["capacity"] = [str(_l("The capacity must be at least 1 order."))]
    if ends_at <= starts_at:
        errors["ends_at"] = [str(_l("The slot must end after it starts."))]
    elif starts_at < window.starts_at or ends_at > window.ends_at:
        errors["starts_at"] = [str(_l("The slot must be inside its pickup window."))]
    else:
        for other in others:
            if other.starts_at < ends_at and starts_at < other.ends_at:
                errors["starts_at"] = [str(_l("This slot overlaps another slot."))]
                break
    return errors


def add_slot(
    window: PickupWindow, *, starts_at: datetime, ends_at: datetime, capacity: int
) -> PickupSlot:
    """Add a slot inside a window, not overlapping the others. Raises SlotInvalid."""
    errors = _check_slot(window, starts_at, ends_at, capacity, window.slots)
    if errors:
        raise SlotInvalid(fields=errors)
    slot = PickupSlot(
        window=window, starts_at=_utc(starts_at), ends_at=_utc(ends_at), capacity=capacity
    )
    db.session.add(slot)
    db.session.commit()
    return slot


def generate_slots(window: PickupWindow, *, every_minutes: int, capacity: int) -> list[PickupSlot]:
    """Cut the window into consecutive slots of ``every_minutes`` (the last one may be shorter),
    each taking ``capacity`` orders. The window must have no slot yet."""
    errors: dict[str, list[str]] = {}
    if not SLOT_MINUTES[0] <= (every_minutes or 0) <= SLOT_MINUTES[1]:
        errors["every_minutes"] = [
            str(_l("Between %(a)s and %(b)s minutes.", a=SLOT_MINUTES[0], b=SLOT_MINUTES[1]))
        ]
    if capacity is None or capacity < 1:
        errors["capacity"] = [str(_l("The capacity must be at least 1 order."))]
    if window.slots:
        errors["every_minutes"] = [str(_l("This window already has slots: remove them first."))]
    if errors:
        raise SlotInvalid(fields=errors)
    created = []
    start = window.starts_at
    step = timedelta(minutes=every_minutes)
    while start < window.ends_at:
        end = min(start + step, window.ends_at)
        slot = PickupSlot(window=window, starts_at=start, ends_at=end, capacity=capacity)
        db.session.add(slot)
        created.append(slot)
        start = end
    db.session.commit()
    return created


def update_slot(slot: PickupSlot, *, capacity: int) -> PickupSlot:
    """Change a slot's capacity (never below the orders it already holds)."""
    db.session.execute(select(PickupSlot.id).where(PickupSlot.id == slot.id).with_for_update())
    db.session.refresh(slot, attribute_names=["booked"])
    if capacity is None or capacity < 1:
        raise SlotInvalid(fields={"capacity": [str(_l("The capacity must be at least 1 order."))]})
    if capacity < slot.booked:
        raise SlotInvalid(
            fields={"capacity": [str(_l("%(n)s orders already hold this slot.", n=slot.booked))]}
        )
    slot.capacity = capacity
    db.session.commit()
    return slot


def remove_slot(slot: PickupSlot) -> None:
    """Remove a slot no order holds (raises InUse otherwise)."""
    if slot.booked:
        raise InUse()
    slot.window.slots.remove(slot)
    db.session.delete(slot)
    db.session.commit()


# --------------------------------------------------------------------------- offers


@dataclass
class OfferSpec:
    variant_id: int
    stock_cap: int | None = None
    hub_fee_kind: FeeKind = FeeKind.percent
    #: None: the hub's default margin for this producer (``hubs.services.default_margin_bp``)
    hub_fee_value: int | None = None


def _fee_errors(kind: FeeKind, value: int) -> list[str]:
    if value is None or value < 0:
        return [str(_l("The hub fee cannot be negative."))]
    if kind is FeeKind.percent and value > MAX_PERCENT_BP:
        return [str(_l("The hub fee is at most 100 %."))]
    if kind is FeeKind.fixed and value > MAX_FIXED_CENTS:
        return [str(_l("The hub fee is at most 1,000 €."))]
    return []


def _cap_errors(variant: Variant, cap: int | None, sold: int = 0) -> list[str]:
    if cap is None:
        return []
    if cap < 0:
        return [str(_l("The stock cap cannot be negative."))]
    if not variant.on_demand and cap > variant.stock + sold:
        return [str(_l("The stock cap is above the producer's stock (%(n)s).", n=variant.stock))]
    if cap < sold:
        return [str(_l("%(n)s were already ordered: the cap cannot be lower.", n=sold))]
    return []


def add_offers(cycle: OrderCycle, specs: Sequence[OfferSpec]) -> list[CycleOffer]:
    """Offer many variants at once (or update their cap and fee if already offered).

    Every variant must belong to a producer that allowed the hub (a hub that is also a producer
    offers its own products freely): otherwise OfferNotAllowed, nothing saved. A stock cap is at
    most the variant's stock unless it is on demand; ``remaining`` starts at the cap. Raises
    OfferInvalid with one entry per faulty variant.
    """
    if not specs:
        return []
    ids = [s.variant_id for s in specs]
    variants = {
        v.id: v
        for v in db.session.scalars(
            select(Variant).where(Variant.id.in_(ids)).options(selectinload(Variant.product))
        )
    }
    hub = cycle.hub
    allowed = hub_services.allowed_producer_ids(hub)
    missing = [i for i in ids if i not in variants]
    forbidden = sorted({v.producer_id for v in variants.values() if v.producer_id not in allowed})
    if forbidden:
        raise OfferNotAllowed(fields={"producer_ids": forbidden})
    existing = {
        o.variant_id: o
        for o in db.session.scalars(
            select(CycleOffer)
            .where(CycleOffer.cycle_id == cycle.id, CycleOffer.variant_id.in_(ids))
            .with_for_update()
        )
    }
    errors: dict[str, list[str]] = {}
    for vid in missing:
        errors[str(vid)] = [str(_l("Unknown product variant."))]
    for spec in specs:
        variant = variants.get(spec.variant_id)
        if variant is None:
            continue
        offer = existing.get(spec.variant_id)
        sold = _sold(offer) if offer is not None else 0
        problems = _cap_errors(variant, spec.stock_cap, sold)
        if spec.hub_fee_value is not None:
            problems += _fee_errors(FeeKind(spec.hub_fee_kind), spec.hub_fee_value)
        if not (variant.active and variant.product.active):
            problems.append(str(_l("This product is not on sale.")))
        if problems:
            errors[str(spec.variant_id)] = problems
    if errors:
        raise OfferInvalid(fields=errors)
    result = []
    for spec in specs:
        variant = variants[spec.variant_id]
        kind, fee = FeeKind(spec.hub_fee_kind), spec.hub_fee_value
        if fee is None:  # no fee given: the hub's default margin for this producer
            kind, fee = FeeKind.percent, hub_services.default_margin_bp(hub, variant.producer_id)
        offer = existing.get(spec.variant_id)
        if offer is None:
            offer = CycleOffer(
                cycle_id=cycle.id,
                variant_id=variant.id,
                producer_id=variant.producer_id,
                stock_cap=spec.stock_cap,
                remaining=spec.stock_cap,
                hub_fee_kind=kind,
                hub_fee_value=fee,
            )
            db.session.add(offer)
            existing[spec.variant_id] = offer
        else:
            _apply(offer, spec.stock_cap, kind, fee, True)
        result.append(offer)
    db.session.commit()
    return result


def _sold(offer: CycleOffer) -> int:
    """Units taken from the offer's cap by orders (capped offers keep it as cap - remaining)."""
    if offer.stock_cap is not None and offer.remaining is not None:
        return offer.stock_cap - offer.remaining
    return usage.orders().units_sold(offer.id)


def _apply(offer: CycleOffer, cap: int | None, kind: FeeKind, value: int, active: bool) -> None:
    sold = _sold(offer)
    offer.stock_cap = cap
    offer.remaining = None if cap is None else cap - sold
    offer.hub_fee_kind = kind
    offer.hub_fee_value = value
    offer.active = active


def update_offer(
    offer: CycleOffer,
    *,
    stock_cap: int | None,
    hub_fee_kind: FeeKind,
    hub_fee_value: int,
    active: bool = True,
) -> CycleOffer:
    """Change an offer's cap and fee under its row lock; the cap never goes below what was sold
    nor above the producer's stock (unless on demand). Raises OfferInvalid, OfferNotAllowed."""
    db.session.execute(select(CycleOffer.id).where(CycleOffer.id == offer.id).with_for_update())
    db.session.refresh(offer, attribute_names=["remaining", "stock_cap"])
    cycle = offer.cycle
    if active and not hub_services.may_sell(cycle.hub, offer.producer_id):
        raise OfferNotAllowed()
    sold = _sold(offer)
    problems = _cap_errors(offer.variant, stock_cap, sold) + _fee_errors(
        FeeKind(hub_fee_kind), hub_fee_value
    )
    if problems:
        raise OfferInvalid(fields={str(offer.variant_id): problems})
    _apply(offer, stock_cap, FeeKind(hub_fee_kind), hub_fee_value, active)
    db.session.commit()
    return offer


def remove_offer(offer: CycleOffer) -> None:
    """Stop offering a variant: deleted when never ordered, deactivated otherwise."""
    if usage.orders().ordered_offers([offer.id]):
        offer.active = False
    else:
        db.session.delete(offer)
    db.session.commit()


@dataclass
class Candidate:
    variant: Variant
    product_name: str
    producer_name: str
    offer: CycleOffer | None


#: the hub finds a variant to offer by its product's or its own name (products.search)
OFFER_SEARCH = product_search.Fields(names=(Product.search_name, Variant.search_name))


def offer_candidates(
    cycle: OrderCycle,
    *,
    page: int = 1,
    per_page: int = 50,
    search: str = "",
    producer_id: int | None = None,
) -> tuple[list[Candidate], int]:
    """The variants the hub may offer in the cycle (allowed producers, on sale), with the
    cycle's offer when there is one, one page at a time. Three queries whatever the page size."""
    allowed = hub_services.allowed_producer_ids(cycle.hub)
    if producer_id is not None:
        allowed &= {producer_id}
    if not allowed:
        return [], 0
    producer = aliased(Enterprise)
    query = (
        select(Variant, Product.name, producer.name, CycleOffer)
        .join(Product, Product.id == Variant.product_id)
        .join(producer, producer.id == Variant.producer_id)
        .outerjoin(
            CycleOffer,
            and_(CycleOffer.variant_id == Variant.id, CycleOffer.cycle_id == cycle.id),
        )
        .where(
            Variant.producer_id.in_(sorted(allowed)),
            or_(
                and_(Variant.active.is_(True), Product.active.is_(True)),
                CycleOffer.id.is_not(None),
            ),
        )
    )
    matching = OFFER_SEARCH.condition(product_search.parse(search))
    if matching is not None:
        query = query.where(matching)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.order_by(producer.name, Product.name, Variant.id)
        .limit(per_page)
        .offset(max(page - 1, 0) * per_page)
    ).all()
    return [Candidate(v, pn, prn, o) for v, pn, prn, o in rows], total


def list_offers(cycle: OrderCycle) -> list[CycleOffer]:
    return list(
        db.session.scalars(
            select(CycleOffer)
            .where(CycleOffer.cycle_id == cycle.id)
            .options(selectinload(CycleOffer.variant).selectinload(Variant.product))
            .order_by(CycleOffer.producer_id, CycleOffer.id)
        )
    )


# --------------------------------------------------------------------------- queries


def load_windows(cycle: OrderCycle) -> OrderCycle:
    """The cycle with its windows, their slots and points loaded (three statements in all,
    whatever the number of windows: the cycle page lists them)."""
    return db.session.scalars(
        select(OrderCycle)
        .where(OrderCycle.id == cycle.id)
        .options(
            selectinload(OrderCycle.windows).options(
                selectinload(PickupWindow.slots), joinedload(PickupWindow.distribution_point)
            )
        )
        .execution_options(populate_existing=True)
    ).one()


def list_cycles(hub: Enterprise, *, with_windows: bool = False) -> list[OrderCycle]:
    """The hub's cycles, newest first; ``with_windows`` loads their windows and slots too
    (two more statements, whatever the number of cycles)."""
    query = (
        select(OrderCycle)
        .where(OrderCycle.hub_id == hub.id)
        .order_by(OrderCycle.opens_at.desc(), OrderCycle.id.desc())
    )
    if with_windows:
        query = query.options(selectinload(OrderCycle.windows).selectinload(PickupWindow.slots))
    return list(db.session.scalars(query))


def _open_filter(now: datetime) -> Any:
    return and_(
        OrderCycle.published.is_(True),
        OrderCycle.done_at.is_(None),
        OrderCycle.opens_at <= now,
        OrderCycle.closes_at > now,
        or_(OrderCycle.closed_early_at.is_(None), OrderCycle.closed_early_at > now),
    )


def open_cycles_by_hub(
    hub_ids: Iterable[int], now: datetime | None = None
) -> dict[int, OrderCycle]:
    """For each hub, its open cycle closing first (one query, windows loaded)."""
    ids = list(hub_ids)
    if not ids:
        return {}
    now = now or utcnow()
    found: dict[int, OrderCycle] = {}
    for cycle in db.session.scalars(
        select(OrderCycle)
        .where(OrderCycle.hub_id.in_(ids), _open_filter(now))
        .options(selectinload(OrderCycle.windows).selectinload(PickupWindow.distribution_point))
        .order_by(OrderCycle.closes_at)
    ):
        found.setdefault(cycle.hub_id, cycle)
    return found


def public_cycles(hub: Enterprise, now: datetime | None = None) -> list[OrderCycle]:
    """Open and upcoming published cycles of a hub, soonest first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(OrderCycle)
            .where(
                OrderCycle.hub_id == hub.id,
                OrderCycle.published.is_(True),
                OrderCycle.done_at.is_(None),
                OrderCycle.closes_at > now,
                or_(OrderCycle.closed_early_at.is_(None), OrderCycle.closed_early_at > now),
            )
            .options(
                selectinload(OrderCycle.windows).selectinload(PickupWindow.distribution_point),
                selectinload(OrderCycle.windows).selectinload(PickupWindow.slots),
            )
            .order_by(OrderCycle.opens_at)
            .limit(5)
        )
    )


# --------------------------------------------------------------------------- copy, roll


def _copy(parent: OrderCycle, weeks: int, *, published: bool, now: datetime) -> OrderCycle:
    """A copy of ``parent`` ``weeks`` later at the same local times (flush only)."""

    def shift(value: datetime) -> datetime:
        return same_local_time_next_week(value, weeks=weeks)

    child = OrderCycle(
        hub_id=parent.hub_id,
        name=parent.name,
        opens_at=shift(parent.opens_at),
        closes_at=shift(parent.closes_at),
        published=published,
        repeat_weekly=parent.repeat_weekly,
        order_cap=parent.order_cap,
        message=parent.message,
        orders_count=0,
    )
    db.session.add(child)
    for window in parent.windows:
        copy = PickupWindow(
            distribution_point_id=window.distribution_point_id,
            starts_at=shift(window.starts_at),
            ends_at=shift(window.ends_at),
        )
        child.windows.append(copy)
        db.session.add(copy)
        for slot in list(window.slots):
            copy.slots.append(
                PickupSlot(
                    starts_at=shift(slot.starts_at),
                    ends_at=shift(slot.ends_at),
                    capacity=slot.capacity,
                    booked=0,
                )
            )
    allowed = hub_services.allowed_producer_ids(parent.hub)
    offers = db.session.execute(
        select(CycleOffer, Variant)
        .join(Variant, Variant.id == CycleOffer.variant_id)
        .where(CycleOffer.cycle_id == parent.id, CycleOffer.active.is_(True))
        .order_by(CycleOffer.id)
    ).all()
    for offer, variant in offers:
        if offer.producer_id not in allowed or not variant.active:
            continue  # permission withdrawn or variant off sale since: not carried over
        cap = offer.stock_cap
        if cap is not None and not variant.on_demand:
            cap = min(cap, variant.stock)
        db.session.add(
            CycleOffer(
                cycle=child,
                variant_id=offer.variant_id,
                producer_id=offer.producer_id,
                stock_cap=cap,
                remaining=cap,
                hub_fee_kind=offer.hub_fee_kind,
                hub_fee_value=offer.hub_fee_value,
            )
        )
    return child


def duplicate_cycle(cycle: OrderCycle, now: datetime | None = None) -> OrderCycle:
    """ "Duplicate this cycle": a draft copy one week later (or as many weeks as needed to close
    in the future), same local times, windows, slots and offers (caps reset)."""
    now = now or utcnow()
    weeks = 1
    while same_local_time_next_week(cycle.closes_at, weeks=weeks) <= now:
        weeks += 1
    child = _copy(cycle, weeks, published=False, now=now)
    child.repeat_weekly = False
    db.session.commit()
    return child


def roll_weekly_cycles(now: datetime | None = None) -> list[OrderCycle]:
    """Create next week's cycle for every published "repeat weekly" cycle that has closed (at its
    planned time or by "close now") and has no successor yet.

    Rolling at the close, not earlier, means a cycle and its successor never take orders at the
    same time, and each run creates at most one successor per cycle. The successor keeps the
    weekday and local wall-clock times of every instant (opens, closes, windows, slots) across
    daylight-saving changes, the windows, slots and offers (caps reset to the cap, clamped to the
    producer's stock; offers of producers that withdrew their permission, or of variants off
    sale, are dropped). It is published like its parent, so it shows as upcoming and opens by
    itself; it repeats weekly too. When the job did not run for weeks, the successor moves as
    many weeks ahead as needed to close in the future. Idempotent: the unique ``rolled_from_id``
    settles two jobs running at once (the loser skips that cycle). Commits once.
    """
    now = now or utcnow()
    child = aliased(OrderCycle)
    has_successor = select(child.id).where(child.rolled_from_id == OrderCycle.id).exists()
    parents = list(
        db.session.scalars(
            select(OrderCycle)
            .where(
                OrderCycle.repeat_weekly.is_(True),
                OrderCycle.published.is_(True),
                or_(OrderCycle.closes_at <= now, OrderCycle.closed_early_at <= now),
                ~has_successor,
            )
            .options(selectinload(OrderCycle.windows).selectinload(PickupWindow.slots))
            .order_by(OrderCycle.id)
        )
    )
    created: list[OrderCycle] = []
    for parent in parents:
        weeks = 1
        while same_local_time_next_week(parent.closes_at, weeks=weeks) <= now:
            weeks += 1
        try:
            with db.session.begin_nested():
                successor = _copy(parent, weeks, published=True, now=now)
                successor.rolled_from_id = parent.id
                db.session.flush()
        except IntegrityError:
            continue  # another roll created it first
        created.append(successor)
    db.session.commit()
    return created


def save_offer_page(
    cycle: OrderCycle, *, shown_variant_ids: Iterable[int], specs: Sequence[OfferSpec]
) -> list[CycleOffer]:
    """Save one page of the offers form: checked variants are offered (``add_offers`` rules),
    variants shown on the page but unchecked stop being offered. All or nothing, one commit."""
    chosen = {s.variant_id for s in specs}
    dropped = [v for v in shown_variant_ids if v not in chosen]
    if dropped:
        offers = db.session.scalars(
            select(CycleOffer).where(
                CycleOffer.cycle_id == cycle.id, CycleOffer.variant_id.in_(dropped)
            )
        ).all()
        ordered = usage.orders().ordered_offers([o.id for o in offers])
        for offer in offers:
            if offer.id in ordered:
                offer.active = False
            else:
                db.session.delete(offer)
        db.session.flush()
    return add_offers(cycle, specs) if specs else _commit_empty()


def _commit_empty() -> list[CycleOffer]:
    db.session.commit()
    return []
