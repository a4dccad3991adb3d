"""Placing an order (stock held under row locks, see orders.stock), and its e-mails' links."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Sequence, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from accounts.models import User
from core.db import commit_keeping_loaded, db, on_postgresql
from cycles.models import CycleOffer, OrderCycle, PickupWindow
from cycles.services import require_open
from hubs.terms.services import accepted_terms, written_accepted_terms
from notifications.services import queue_email
from orders import pricing
from orders.errors import (
    BelowMinimumOrder,
    CycleFull,
    EmptyCart,
    IdempotencyConflict,
    InsufficientStock,
    InvalidCheckout,
    PaymentMethodNotAllowed,
    Shortage,
    TermsNotAccepted,
)
from orders.history import Actor, record_event
from orders.models import (
    Cart,
    EventKind,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from orders.signals import (
    order_placed,
)
from orders.states import move_order, move_payment
from orders.stock import (
    MAX_QUANTITY,
    _book_slot,
    _lock_stock,
    _sellable,
    _take_cycle_place,
    _take_stock,
    available_quantity,
    item_name,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- placing orders


def _find_by_key(key: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.idempotency_key == key))


def _same_buyer(order: Order, customer: User | None, guest_email: str) -> bool:
    if customer is not None:
        return order.customer_id == customer.id
    return order.customer_id is None and order.customer_email == guest_email.strip().lower()


def _existing_for_key(key: str | None, customer: User | None, guest_email: str) -> Order | None:
    if not key:
        return None
    existing = _find_by_key(key)
    if existing is None:
        return None
    if not _same_buyer(existing, customer, guest_email):
        raise IdempotencyConflict()
    return existing


def _merge_items(items: Iterable[tuple[int, int]]) -> dict[int, int]:
    merged: dict[int, int] = {}
    for offer_id, quantity in items:
        if int(quantity) <= 0:
            continue
        merged[int(offer_id)] = merged.get(int(offer_id), 0) + int(quantity)
    for offer_id, quantity in merged.items():
        if quantity > MAX_QUANTITY:
            raise InvalidCheckout(fields={"items": {str(offer_id): ["quantity too large"]}})
    return merged


def _check_method(cycle: OrderCycle, method: PaymentMethod) -> None:
    hub = cycle.hub
    if method is PaymentMethod.card and not hub.card_payment_ready:
        raise PaymentMethodNotAllowed()
    if method is PaymentMethod.at_pickup and not hub.allows_pay_at_pickup:
        raise PaymentMethodNotAllowed()


def allowed_payment_methods(cycle: OrderCycle) -> list[PaymentMethod]:
    hub = cycle.hub
    methods = []
    if hub.card_payment_ready and current_app.config.get("STRIPE_SECRET_KEY"):
        methods.append(PaymentMethod.card)
    if hub.allows_pay_at_pickup:
        methods.append(PaymentMethod.at_pickup)
    return methods


def place_order(
    *,
    cycle: OrderCycle,
    customer: User | None,
    items: list[tuple[int, int]],
    pickup_window_id: int,
    pickup_slot_id: int | None,
    payment_method: PaymentMethod | str,
    idempotency_key: str | None,
    terms_accepted: bool,
    now: datetime,
    guest_email: str = "",
    guest_name: str = "",
    guest_phone: str = "",
    customer_note: str = "",
    sales_terms_id: int | None = None,
) -> Order:
    """Place an order: hold the stock, the slot and a place in the cycle; commit once.

    Locks (FOR UPDATE): the cycle row, the slot row, the variants then the offers in id order;
    re-checks everything under the locks. A card order is ``pending_payment`` and holds the stock
    until ``hold_expires_at``; a pay-at-pickup order is ``confirmed`` at once (e-mail queued).
    The same ``idempotency_key`` returns the first order (a unique constraint is the backstop).

    Raises TermsNotAccepted, EmptyCart, InvalidCheckout, PaymentMethodNotAllowed, CycleClosed,
    CycleFull, SlotFull, InsufficientStock (naming every short item), IdempotencyConflict.
    """
    method = PaymentMethod(payment_method)
    guest_email = (guest_email or "").strip().lower()
    wanted = _merge_items(items)
    if not wanted or not terms_accepted:
        # A retry of a placed order comes with an emptied cart: answer with that order. (With
        # items, the check after the item locks below answers it: one statement less per order.)
        existing = _existing_for_key(idempotency_key, customer, guest_email)
        if existing is not None:
            return existing
    if not terms_accepted:
        raise TermsNotAccepted()
    if not wanted:
        raise EmptyCart()
    if customer is None:
        fields = {}
        if not guest_email or "@" not in guest_email:
            fields["guest_email"] = [str(_l("An e-mail address is required."))]
        if not (guest_name or "").strip():
            fields["guest_name"] = [str(_l("Your name is required."))]
        if fields:
            raise InvalidCheckout(fields=fields)
    _check_method(cycle, method)
    require_open(cycle, now)  # early answer; checked again under the cycle lock
    if cycle.order_cap is not None and cycle.orders_count >= cycle.order_cap:
        raise CycleFull()
    # The window is loaded before taking the locks; the items come with their locks.
    window = (
        db.session.scalars(
            select(PickupWindow)
            .where(PickupWindow.id == pickup_window_id)
            .options(joinedload(PickupWindow.slots), joinedload(PickupWindow.distribution_point))
        )
        .unique()
        .first()
    )
    if window is None or window.cycle_id != cycle.id:
        raise InvalidCheckout(fields={"pickup_window_id": [str(_l("Choose a pickup time."))]})
    slot_ids = {s.id for s in window.slots}
    if slot_ids and pickup_slot_id not in slot_ids:
        raise InvalidCheckout(fields={"pickup_slot_id": [str(_l("Choose a pickup slot."))]})

    # Before the item locks, whatever can be: everything that runs under them makes every order
    # wanting the same items wait. Writing the hub's current version (rare) must wait for them.
    terms = written_accepted_terms(cycle.hub, sales_terms_id)
    order_id = _reserve_order_id()
    if customer is not None:
        # the cart the order empties (this user's own rows: no other checkout waits on them; a
        # refusal below rolls it back)
        db.session.execute(
            delete(Cart).where(Cart.user_id == customer.id, Cart.cycle_id == cycle.id)
        )

    offers = _lock_stock(wanted)
    shortages: list[Shortage] = []
    for offer_id, quantity in wanted.items():
        offer = offers.get(offer_id)
        if not _sellable(offer, cycle):
            name = item_name(offer.variant) if offer is not None else str(_l("An item"))
            shortages.append(Shortage(offer_id, name, quantity, 0))
            continue
        assert offer is not None
        available = available_quantity(offer, offer.variant)
        if available is not None and quantity > available:
            shortages.append(Shortage(offer_id, item_name(offer.variant), quantity, available))
    if shortages:
        # A concurrent double submission waited on the same item locks, and the first order
        # may have taken the last units: it answers with that order. (Without a shortage, the
        # unique key answers it at the INSERT below: no look-up while the items are locked.)
        existing = _existing_for_key(idempotency_key, customer, guest_email)
        if existing is not None:
            db.session.commit()  # release the locks
            return existing
        raise InsufficientStock(shortages)
    if terms is None:
        # After the item locks, never before: writing the hub's first terms version locks the
        # hub row, and an order's INSERT takes a key-share lock on it after its own item locks;
        # taking the hub first here deadlocks with such an order (test_scale_out).
        terms = accepted_terms(cycle.hub, sales_terms_id, now)

    order = Order(
        id=order_id,
        number=order_number(now, order_id) if order_id else f"tmp-{uuid.uuid4().hex[:16]}",
        cycle_id=cycle.id,
        hub_id=cycle.hub_id,
        customer_id=customer.id if customer else None,
        customer_name=(customer.full_name if customer else guest_name.strip())[:120],
        customer_email=(customer.email if customer else guest_email)[:254],
        customer_phone=((customer.phone if customer else "") or (guest_phone or "").strip())[:40],
        pickup_window_id=window.id,
        pickup_slot_id=pickup_slot_id if slot_ids else None,
        payment_method=method,
        idempotency_key=idempotency_key or None,
        currency=current_app.config.get("CURRENCY", "EUR"),
        customer_note=(customer_note or "").strip()[:2000],
        terms_accepted_at=now,
        sales_terms=terms,
        placed_at=now,
    )
    if method is PaymentMethod.card:
        move_order(order, OrderStatus.pending_payment)
        move_payment(order, PaymentStatus.pending)
        order.hold_expires_at = now + timedelta(
            minutes=int(current_app.config.get("PAYMENT_HOLD_MINUTES", 30))
        )
    else:
        move_order(order, OrderStatus.confirmed)
        move_payment(order, PaymentStatus.unpaid)

    for offer_id in sorted(wanted, key=lambda oid: (offers[oid].producer_id, oid)):
        offer = offers[offer_id]
        quantity = wanted[offer_id]
        _take_stock(offer, quantity)
        order.lines.append(new_line(offer, quantity))
    pricing.recompute_totals(order)
    if order.total_cents < cycle.hub.min_order_cents:
        raise BelowMinimumOrder(cycle.hub.min_order_cents)
    db.session.add(order)
    if order_id is not None:  # written in the order's own flush
        _record_placed(order, customer)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        found = _existing_for_key(idempotency_key, customer, guest_email)
        if found is not None:
            return found
        raise
    if order_id is None:  # SQLite: the id came with the INSERT
        order.number = order_number(now, order.id)
        _record_placed(order, customer)
    if order.status is OrderStatus.confirmed:
        _queue_confirmation(order)
    db.session.flush()

    # Last, the slot and the cycle: each locked by one UPDATE, held until the COMMIT.
    if slot_ids:
        _book_slot(pickup_slot_id)  # type: ignore[arg-type]
    _take_cycle_place(cycle.id, now)
    try:
        commit_keeping_loaded()  # the caller answers from the order just written
    except IntegrityError:
        # a concurrent submission with the same key committed first
        db.session.rollback()
        found = _existing_for_key(idempotency_key, customer, guest_email)
        if found is not None:
            return found
        raise
    order_placed.send(order, by=Actor.citizen(customer, order))
    return order


def order_number(now: datetime, order_id: int) -> str:
    """The number people read ("2026-000123"): the year placed and the id."""
    return f"{now.year}-{order_id:06d}"


def _reserve_order_id() -> int | None:
    """On PostgreSQL, the new order's id from its sequence, taken before the item locks so that
    the INSERT writes the number and the "placed" event in one flush (no UPDATE while the items
    are locked). None on SQLite, which runs one writer at a time: the INSERT gives the id."""
    if not on_postgresql():
        return None
    return db.session.execute(select(Sequence("orders_id_seq").next_value())).scalar_one()


def _record_placed(order: Order, customer: User | None) -> None:
    record_event(
        order,
        EventKind.placed,
        Actor.citizen(customer, order),
        total_after_cents=order.total_cents,
    )


def new_line(offer: CycleOffer, quantity: int) -> OrderLine:
    variant = offer.variant
    price = pricing.price_offer(offer, variant, quantity)
    per_item_g = pricing.estimated_weight_g(variant)
    return OrderLine(
        offer_id=offer.id,
        variant_id=variant.id,
        producer_id=offer.producer_id,
        product_name=variant.product.name[:150],
        variant_name=variant.name[:120],
        sku=variant.sku[:64],
        quantity=quantity,
        producer_price_cents=price.producer_price_cents,
        hub_fee_cents=price.hub_fee_cents,
        unit_price_cents=price.unit_price_cents,
        vat_rate_bp=variant.product.vat_rate_bp,
        sold_by_weight=variant.sold_by_weight,
        estimated_weight_g=per_item_g,
        line_total_cents=price.line_total_cents,
    )


# --------------------------------------------------------------------------- e-mails


def order_locale(order: Order) -> str:
    if order.customer is not None and order.customer.locale:
        return order.customer.locale
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")


def order_link(order: Order) -> str:
    """The link in e-mails: signed, so that a guest can open their order without an account."""
    from orders.permissions import order_access_token

    base = current_app.config["BASE_URL"]
    return f"{base}/orders/{order.id}?t={order_access_token(order)}"


def _queue_confirmation(order: Order) -> None:
    if not order.customer_email:
        return
    queue_email(
        to=order.customer_email,
        template="emails/orders/confirmation",
        locale=order_locale(order),
        kind="order_confirmation",
        dedupe_key=f"order_confirmation:{order.id}",
        order=order,
        link=order_link(order),
    )


def queue_order_confirmation(order: Order) -> None:
    """Queue the confirmation e-mail (once per order); the caller commits. Used by payments."""
    _queue_confirmation(order)
