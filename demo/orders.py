"""Demo orders: three past weeks per hub (closed, done, collected) and this week's orders.

- Past weeks: one closed and done cycle per hub and week, with its pickup window in the past and
  the orders of the demo citizens, collected and paid (by card, or at pickup in cash or cheque),
  plus one order cancelled before the close. Rows are written directly (the order services refuse
  a closed cycle, rightly), priced by ``orders.pricing`` like any order, and their commission
  recorded with ``coop.commission.sync_commission``.
- This week: orders placed through ``orders.services.place_order`` in the open demo cycles made by
  demo.hubs (stock, slots and the cycle's count move as for a real citizen), one per citizen and
  hub; the ones chosen "by card" are recorded as paid (a succeeded Payment, as the webhook does).

Idempotent: past cycles are found by name, current orders by their idempotency key. Needs
demo.accounts, demo.catalogue and demo.hubs; without an open demo cycle it does nothing.
Confirmation e-mails of this week's orders wait in the outbox (``flask mail send``), as they would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from accounts.models import User
from coop.commission import sync_commission
from core.db import db
from core.timeutils import local_date, local_to_utc, utcnow
from cycles.models import CycleOffer, OrderCycle, PickupSlot, PickupWindow
from demo.accounts import CITIZEN, get_enterprise, get_user
from enterprises.models import Enterprise
from orders import pricing
from orders import services as order_services
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from payments.models import Payment, PaymentState

CITIZENS = (
    CITIZEN,
    "louis@demo.comptoir.coop",
    "emma@demo.comptoir.coop",
    "ines@demo.comptoir.coop",
)

#: the hubs of demo.hubs and the name of their open weekly cycle
HUB_CYCLES = {
    "la-grange": "Panier de la semaine — La Grange",
    "ferme-de-la-prevalaye": "Vente à la ferme",
    "cafe-du-bourg": "Paniers du samedi",
}

PAST_WEEKS = 3

#: this week: (citizen, hub slug, payment); the others order at La Grange only
CURRENT = (
    (CITIZEN, "la-grange", PaymentMethod.at_pickup),
    (CITIZEN, "cafe-du-bourg", PaymentMethod.card),
    ("louis@demo.comptoir.coop", "la-grange", PaymentMethod.card),
    ("emma@demo.comptoir.coop", "ferme-de-la-prevalaye", PaymentMethod.at_pickup),
    ("ines@demo.comptoir.coop", "la-grange", PaymentMethod.at_pickup),
)


@dataclass
class _Counts:
    cycles: int = 0
    orders: int = 0


def _open_cycle(slug: str) -> OrderCycle | None:
    hub = get_enterprise(slug)
    return db.session.scalar(
        select(OrderCycle).where(OrderCycle.hub_id == hub.id, OrderCycle.name == HUB_CYCLES[slug])
    )


def _offers(cycle: OrderCycle) -> list[CycleOffer]:
    return list(
        db.session.scalars(
            select(CycleOffer)
            .where(CycleOffer.cycle_id == cycle.id, CycleOffer.active.is_(True))
            .order_by(CycleOffer.id)
        )
    )


def _pick_lines(rng: random.Random, offers: list[CycleOffer], count: int) -> list[CycleOffer]:
    """``count`` offers from at least two producers when the cycle has two."""
    by_producer: dict[int, list[CycleOffer]] = {}
    for offer in offers:
        by_producer.setdefault(offer.producer_id, []).append(offer)
    producers = sorted(by_producer)
    chosen: list[CycleOffer] = []
    for producer_id in rng.sample(producers, min(2, len(producers))):
        chosen.append(rng.choice(by_producer[producer_id]))
    rest = [o for o in offers if o not in chosen]
    chosen += rng.sample(rest, min(max(count - len(chosen), 0), len(rest)))
    return chosen


def _quantity(rng: random.Random, offer: CycleOffer) -> int:
    return 1 if offer.variant.sold_by_weight else rng.choice((1, 1, 2, 2, 3))


# --------------------------------------------------------------------------- past weeks


def _past_cycle(hub: Enterprise, template: OrderCycle, weeks_ago: int) -> OrderCycle | None:
    """The closed and done cycle ``weeks_ago`` weeks before the open one (None if it exists)."""
    pickup = template.windows[0] if template.windows else None
    close_day = local_date(template.closes_at) - timedelta(weeks=weeks_ago)
    name = f"{template.name} — semaine du {close_day - timedelta(days=4):%d/%m/%Y}"
    if db.session.scalar(
        select(OrderCycle.id).where(OrderCycle.hub_id == hub.id, OrderCycle.name == name)
    ):
        return None
    opens_day = close_day - timedelta(days=4)
    pickup_day = close_day + timedelta(days=1)
    pickup_end = local_to_utc(pickup_day, time(19, 0))
    cycle = OrderCycle(
        hub_id=hub.id,
        name=name,
        # local wall-clock times rebuilt each week (never "UTC + 7 days": DST)
        opens_at=local_to_utc(opens_day, time(8, 0)),
        closes_at=local_to_utc(close_day, time(20, 0)),
        published=True,
        repeat_weekly=False,
        done_at=pickup_end + timedelta(hours=1),
        producer_lists_sent_at=local_to_utc(close_day, time(20, 5)),
        open_notice_sent_at=local_to_utc(opens_day, time(8, 0)),
        message=template.message,
    )
    db.session.add(cycle)
    db.session.flush()
    point_id = pickup.distribution_point_id if pickup else None
    if point_id is None:
        return cycle
    window = PickupWindow(
        cycle_id=cycle.id,
        distribution_point_id=point_id,
        starts_at=local_to_utc(pickup_day, time(17, 0)),
        ends_at=pickup_end,
    )
    start = window.starts_at
    while start < window.ends_at:
        window.slots.append(
            PickupSlot(starts_at=start, ends_at=start + timedelta(minutes=30), capacity=6)
        )
        start += timedelta(minutes=30)
    db.session.add(window)
    db.session.flush()
    return cycle


def _copy_offers(cycle: OrderCycle, template: OrderCycle) -> list[CycleOffer]:
    offers = []
    for source in _offers(template):
        offer = CycleOffer(
            cycle_id=cycle.id,
            variant_id=source.variant_id,
            producer_id=source.producer_id,
            stock_cap=None,
            remaining=None,
            hub_fee_kind=source.hub_fee_kind,
            hub_fee_value=source.hub_fee_value,
        )
        db.session.add(offer)
        offers.append(offer)
    db.session.flush()
    return offers


def _past_order(
    rng: random.Random,
    cycle: OrderCycle,
    customer: User,
    offers: list[CycleOffer],
    method: PaymentMethod,
    cancelled: bool,
    slot_index: int,
) -> Order:
    window = cycle.windows[0]
    slot = window.slots[slot_index % len(window.slots)] if window.slots else None
    placed = cycle.opens_at + timedelta(hours=rng.randint(2, 80))
    order = Order(
        number=f"tmp-{cycle.id}-{customer.id}",
        cycle_id=cycle.id,
        hub_id=cycle.hub_id,
        customer_id=customer.id,
        customer_name=customer.full_name,
        customer_email=customer.email,
        customer_phone=customer.phone or "",
        pickup_window_id=window.id,
        pickup_slot_id=slot.id if slot else None,
        payment_method=method,
        payment_status=PaymentStatus.unpaid,
        status=OrderStatus.collected,
        currency="EUR",
        terms_accepted_at=placed,
        placed_at=placed,
        created_at=placed,
    )
    for offer in sorted(
        _pick_lines(rng, offers, rng.randint(2, 4)), key=lambda o: (o.producer_id, o.id)
    ):
        quantity = _quantity(rng, offer)
        order.lines.append(order_services.new_line(offer, quantity))
    if cancelled:
        order.status = OrderStatus.cancelled
        order.cancelled_at = placed + timedelta(hours=3)
    else:
        # weighed at packing: the charged weight differs a little from the estimate
        for line in order.lines:
            if line.sold_by_weight and line.estimated_weight_g:
                estimate = line.estimated_weight_g * line.quantity
                line.final_weight_g = max(1, round(estimate * rng.uniform(0.9, 1.1)))
        order.collected_at = window.starts_at + timedelta(minutes=rng.randint(5, 110))
    pricing.recompute_totals(order)
    db.session.add(order)
    db.session.flush()
    order.number = order_services.order_number(placed, order.id)
    if not cancelled:
        _record_payment(order, method, paid_at=_paid_at(order, method), rng=rng)
        cycle.orders_count += 1
        if slot is not None:
            slot.booked += 1
    return order


def _paid_at(order: Order, method: PaymentMethod) -> datetime:
    if method is PaymentMethod.card:
        return order.placed_at + timedelta(minutes=2)
    assert order.collected_at is not None
    return order.collected_at


def _record_payment(
    order: Order, method: PaymentMethod, *, paid_at: datetime, rng: random.Random | None = None
) -> None:
    """The succeeded Payment of a demo order, the order marked paid, the commission recorded."""
    if method is PaymentMethod.card:
        payment = Payment(
            order_id=order.id,
            provider="stripe",
            method="card",
            idempotency_key=f"order-{order.id}",
            amount_cents=order.total_cents,
            currency=order.currency,
            state=PaymentState.succeeded,
            succeeded_at=paid_at,
            created_at=paid_at,
        )
    else:
        payment = Payment(
            order_id=order.id,
            provider="manual",
            method=(rng or random.Random(order.id)).choice(("cash", "cheque", "card_on_site")),
            idempotency_key=f"order-{order.id}-manual",
            amount_cents=order.total_cents,
            currency=order.currency,
            state=PaymentState.succeeded,
            succeeded_at=paid_at,
            created_at=paid_at,
        )
    db.session.add(payment)
    order.payment_status = PaymentStatus.paid
    order.paid_at = paid_at
    order.hold_expires_at = None
    if order.status is OrderStatus.pending_payment:
        order.status = OrderStatus.confirmed
    db.session.flush()
    entry = sync_commission(order, collected_via="statement")
    if entry is not None:
        # dated when the demo order was paid, not when the seed ran: the month's statement
        # (built from the ledger's dates) shows the demo's sales
        entry.created_at = paid_at


def _seed_past(counts: _Counts) -> None:
    citizens = [get_user(email) for email in CITIZENS]
    for slug in HUB_CYCLES:
        template = _open_cycle(slug)
        if template is None or not _offers(template):
            continue
        hub = get_enterprise(slug)
        for weeks_ago in range(PAST_WEEKS, 0, -1):
            cycle = _past_cycle(hub, template, weeks_ago)
            if cycle is None or not cycle.windows:
                continue
            counts.cycles += 1
            offers = _copy_offers(cycle, template)
            rng = random.Random(f"{slug}-{weeks_ago}")  # the same demo on every machine
            for index, customer in enumerate(citizens):
                if slug != "la-grange" and index % 2 == weeks_ago % 2:
                    continue  # smaller hubs: about half of the citizens each week
                method = rng.choice((PaymentMethod.card, PaymentMethod.at_pickup))
                cancelled = slug == "la-grange" and weeks_ago == 2 and index == 3
                _past_order(rng, cycle, customer, offers, method, cancelled, slot_index=index)
                counts.orders += 1


# --------------------------------------------------------------------------- this week


def _seed_current(counts: _Counts) -> None:
    now = utcnow()
    for email, slug, method in CURRENT:
        cycle = _open_cycle(slug)
        if cycle is None:
            continue
        customer = get_user(email)
        key = f"demo-{slug}-{customer.id}"
        if db.session.scalar(select(Order.id).where(Order.idempotency_key == key)):
            continue
        if not cycle.is_open(now) or not cycle.windows:
            continue
        offers = [
            o
            for o in _offers(cycle)
            if (o.remaining is None or o.remaining >= 3)
            and (o.variant.on_demand or o.variant.stock >= 3)
        ]
        if not offers:
            continue
        rng = random.Random(key)
        lines = _pick_lines(rng, offers, 3)
        window = cycle.windows[0]
        free = [s for s in window.slots if s.booked < s.capacity]
        order = order_services.place_order(
            cycle=cycle,
            customer=customer,
            items=[(offer.id, _quantity(rng, offer)) for offer in lines],
            pickup_window_id=window.id,
            pickup_slot_id=free[rng.randrange(len(free))].id if free else None,
            payment_method=method,
            idempotency_key=key,
            terms_accepted=True,
            now=now,
            customer_note="Je passerai en fin de créneau." if rng.random() < 0.3 else "",
        )
        if method is PaymentMethod.card:
            # the demo has no Stripe: recorded as the verified webhook would record it
            _record_payment(order, method, paid_at=now)
            order_services.queue_order_confirmation(order)
            db.session.commit()
        counts.orders += 1


def seed() -> str:
    if not any(_open_cycle(slug) is not None for slug in HUB_CYCLES):
        return "orders: no open demo cycle (run demo.hubs first), nothing added"
    counts = _Counts()
    _seed_past(counts)
    db.session.flush()
    _seed_current(counts)
    total = db.session.scalar(select(func.count(Order.id)))
    return (
        f"orders: {counts.cycles} past cycle(s) and {counts.orders} order(s) added ({total} in all)"
    )
