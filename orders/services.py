"""Order use cases: cart, placing an order (stock held under row locks), cancelling, editing.

Lock order, the same in every use case so that two transactions never wait for each other in a
circle: the order row (when it exists) → the variants in id order → the cycle offers in id order
→ the pickup slot row → the cycle row, last, right before the commit. Every order of a cycle
updates the cycle row (``orders_count``), so whatever runs while it is locked runs one order at
a time: building the order, its lines and its e-mail happens before, under the per-item locks
only, and the cycle lock is held for one UPDATE and the COMMIT. The slot and cycle rows are
locked ``FOR NO KEY UPDATE``: inserting an order takes a ``KEY SHARE`` lock on them (foreign
keys), which ``FOR UPDATE`` would wait for. Side effects (Stripe, e-mails) happen after the commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from accounts.models import User
from coop import commission as coop_commission  # a module: coop.commission imports orders
from core.db import commit_keeping_loaded, db
from core.errors import DomainError
from cycles.models import CycleOffer, OrderCycle, PickupSlot, PickupWindow
from cycles.services import require_open
from enterprises.models import Enterprise
from notifications.services import queue_email
from orders import pricing
from orders.errors import (
    BelowMinimumOrder,
    CycleClosed,
    CycleFull,
    EmptyCart,
    IdempotencyConflict,
    InsufficientStock,
    InvalidCheckout,
    OfferUnavailable,
    OrderNotCancellable,
    OrderNotEditable,
    PaymentMethodNotAllowed,
    Shortage,
    SlotFull,
    TermsNotAccepted,
)
from orders.models import (
    Cart,
    CartItem,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from products.models import Product, Variant

log = logging.getLogger(__name__)

#: the largest quantity of one item in one order (a typo guard, not a stock rule)
MAX_QUANTITY = 999


# --------------------------------------------------------------------------- availability


def available_quantity(offer: CycleOffer, variant: Variant) -> int | None:
    """How many items can still be ordered (None: unlimited)."""
    limits: list[int] = []
    if not variant.on_demand:
        limits.append(max(variant.stock, 0))
    if offer.remaining is not None:
        limits.append(max(offer.remaining, 0))
    return min(limits) if limits else None


def item_name(variant: Variant) -> str:
    return f"{variant.product.name} ({variant.name})"


def _sellable(offer: CycleOffer | None, cycle: OrderCycle) -> bool:
    return (
        offer is not None
        and offer.cycle_id == cycle.id
        and offer.active
        and offer.variant.active
        and offer.variant.product.active
    )


# --------------------------------------------------------------------------- cart


@dataclass
class CartChange:
    """The cart after a change, and what the citizen should be told."""

    items: dict[int, int]
    quantity: int
    capped: bool = False
    message: str = ""


@dataclass
class CartLineView:
    offer: CycleOffer
    variant: Variant
    product: Product
    quantity: int
    price: pricing.LinePrice
    available: int | None

    @property
    def producer(self) -> Enterprise:
        return self.product.producer


@dataclass
class CartView:
    cycle: OrderCycle
    lines: list[CartLineView] = field(default_factory=list)
    #: offers that disappeared or ran out since they were added (told to the citizen)
    notices: list[str] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(line.price.line_total_cents for line in self.lines)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def items(self) -> dict[int, int]:
        return {line.offer.id: line.quantity for line in self.lines}

    def by_producer(self) -> list[tuple[object, list[CartLineView]]]:
        groups: dict[int, tuple[object, list[CartLineView]]] = {}
        for line in self.lines:
            groups.setdefault(line.product.producer_id, (line.producer, []))[1].append(line)
        return list(groups.values())


def get_cart_items(user: User, cycle: OrderCycle) -> dict[int, int]:
    """A logged-in user's saved cart for a cycle: {offer_id: quantity}."""
    rows = db.session.execute(
        select(CartItem.offer_id, CartItem.quantity)
        .join(Cart, Cart.id == CartItem.cart_id)
        .where(Cart.user_id == user.id, Cart.cycle_id == cycle.id)
        .order_by(CartItem.id)
    )
    return {offer_id: quantity for offer_id, quantity in rows}


def load_offers(offer_ids: Iterable[int]) -> dict[int, CycleOffer]:
    """Offers with their variant, product and producer, in one query."""
    from sqlalchemy.orm import joinedload

    ids = sorted(set(offer_ids))
    if not ids:
        return {}
    offers = db.session.scalars(
        select(CycleOffer)
        .where(CycleOffer.id.in_(ids))
        .options(
            joinedload(CycleOffer.variant).joinedload(Variant.product).joinedload(Product.producer)
        )
    ).unique()
    return {offer.id: offer for offer in offers}


def build_cart(cycle: OrderCycle, items: dict[int, int]) -> CartView:
    """Price the cart as the catalogue stands; drop what is no longer offered (with a notice)."""
    view = CartView(cycle=cycle)
    offers = load_offers(items)
    for offer_id, quantity in items.items():
        offer = offers.get(offer_id)
        if not _sellable(offer, cycle) or quantity <= 0:
            view.notices.append(str(_l("An item of your cart is no longer offered.")))
            continue
        assert offer is not None
        variant = offer.variant
        available = available_quantity(offer, variant)
        view.lines.append(
            CartLineView(
                offer=offer,
                variant=variant,
                product=variant.product,
                quantity=quantity,
                price=pricing.price_offer(offer, variant, quantity),
                available=available,
            )
        )
    view.lines.sort(key=lambda ln: (ln.producer.name.lower(), ln.product.name.lower(), ln.offer.id))
    return view


def set_cart_quantity(
    *,
    cycle: OrderCycle,
    user: User | None,
    items: dict[int, int] | None = None,
    offer_id: int,
    quantity: int,
    add: bool = False,
    now: datetime,
) -> CartChange:
    """Set (or with ``add`` increase) an item's quantity, capped to what is available.

    Raises CycleClosed (CycleNotOpenYet before it opens), OfferUnavailable. For a logged-in
    user the cart is saved (commit): its row is locked and its items read under the lock, so
    two quick changes (two tabs, parallel API calls) both count (``items`` is not needed). A
    guest's cart lives in the session: ``items`` is it, and the caller stores ``result.items``.
    """
    require_open(cycle, now)
    offer = db.session.get(
        CycleOffer,
        offer_id,
        options=[joinedload(CycleOffer.variant).joinedload(Variant.product)],
    )
    if not _sellable(offer, cycle):
        raise OfferUnavailable()
    assert offer is not None
    cart = None
    if user is not None:
        cart = _lock_cart(user, cycle, create=True)
        items = get_cart_items(user, cycle)
    items = dict(items or {})
    wanted = (items.get(offer_id, 0) + quantity) if add else quantity
    wanted = max(0, min(wanted, MAX_QUANTITY))
    available = available_quantity(offer, offer.variant)
    capped = False
    message = ""
    if available is not None and wanted > available:
        capped = True
        wanted = available
        name = item_name(offer.variant)
        if available == 0:
            message = str(_l("%(name)s is sold out.", name=name))
        else:
            message = str(
                _l(
                    "Only %(num)d × %(name)s left: your cart holds %(num)d.",
                    num=available,
                    name=name,
                )
            )
    if wanted > 0:
        items[offer_id] = wanted
    else:
        items.pop(offer_id, None)
    if user is not None:
        _save_cart(user, cycle, items, cart)
        commit_keeping_loaded()  # the caller shows the cart at once
    return CartChange(items=items, quantity=wanted, capped=capped, message=message)


def _lock_cart(user: User, cycle: OrderCycle, *, create: bool) -> Cart | None:
    """The person's cart row for the cycle, locked (created first if ``create``), so that two
    requests of the same person (two tabs, quick clicks) apply one after the other."""
    where = (Cart.user_id == user.id, Cart.cycle_id == cycle.id)
    locked = select(Cart).where(*where).with_for_update().execution_options(populate_existing=True)
    cart = db.session.scalar(locked)
    if cart is None and create:
        try:
            with db.session.begin_nested():
                db.session.add(Cart(user_id=user.id, cycle_id=cycle.id))
        except IntegrityError:
            pass  # a concurrent request created it first: use that one
        cart = db.session.scalar(locked)
    return cart


def _save_cart(
    user: User, cycle: OrderCycle, items: dict[int, int], cart: Cart | None = None
) -> None:
    """Write the saved cart (its row locked: see ``_lock_cart``; ``cart``: locked already)."""
    if cart is None:
        cart = _lock_cart(user, cycle, create=bool(items))
    if cart is None:
        return
    existing = {item.offer_id: item for item in cart.items}
    for offer_id, item in existing.items():
        if offer_id not in items:
            cart.items.remove(item)
    for offer_id, quantity in items.items():
        if offer_id in existing:
            existing[offer_id].quantity = quantity
        else:
            cart.items.append(CartItem(offer_id=offer_id, quantity=quantity))
    db.session.flush()


def merge_guest_cart(user: User, guest_carts: dict[int, dict[int, int]]) -> int:
    """Keep a guest's session carts when they log in: quantities are added to the saved cart.

    Returns the number of carts merged. Availability is re-checked at checkout.
    """
    merged = 0
    for cycle_id, items in guest_carts.items():
        cycle = db.session.get(OrderCycle, cycle_id)
        if cycle is None or not items:
            continue
        saved = get_cart_items(user, cycle)
        for offer_id, quantity in items.items():
            saved[offer_id] = min(max(saved.get(offer_id, 0), quantity), MAX_QUANTITY)
        valid = load_offers(saved)
        saved = {k: v for k, v in saved.items() if _sellable(valid.get(k), cycle) and v > 0}
        _save_cart(user, cycle, saved)
        merged += 1
    if merged:
        db.session.commit()
    return merged


def clear_cart(user: User, cycle: OrderCycle) -> None:
    db.session.execute(delete(Cart).where(Cart.user_id == user.id, Cart.cycle_id == cycle.id))
    db.session.commit()


# --------------------------------------------------------------------------- placing orders


def _lock_cycle(cycle_id: int) -> OrderCycle:
    """Lock the cycle row (last of all the locks: see the module docstring)."""
    cycle = db.session.scalar(
        select(OrderCycle)
        .where(OrderCycle.id == cycle_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if cycle is None:
        raise CycleClosed()
    return cycle


def _book_slot(slot_id: int) -> None:
    """Book a place in the slot: one conditional UPDATE (the row stays locked until the commit).

    Raises SlotFull when the slot is full or gone.
    """
    booked = db.session.scalar(
        update(PickupSlot)
        .where(PickupSlot.id == slot_id, PickupSlot.booked < PickupSlot.capacity)
        .values(booked=PickupSlot.booked + 1)
        .returning(PickupSlot.id)
        # in-memory objects follow (e.g. the order page rendered after the commit)
        .execution_options(synchronize_session="fetch")
    )
    if booked is None:
        raise SlotFull()


def _take_cycle_place(cycle_id: int, now: datetime) -> None:
    """Count the order in its cycle, the last lock of a checkout.

    Every order of a cycle updates this row, so checkouts queue here one at a time: one
    ``UPDATE ... RETURNING`` (rather than SELECT FOR UPDATE then UPDATE) keeps the row locked
    for one round trip and the COMMIT. The state and the cap are checked on the row as updated;
    a refusal raises and the caller's transaction is rolled back, increment included.
    """
    # the updated row comes back as the session's cycle, refreshed (state fields included)
    cycle = db.session.scalars(
        update(OrderCycle)
        .where(OrderCycle.id == cycle_id)
        .values(orders_count=OrderCycle.orders_count + 1, updated_at=now)
        .returning(OrderCycle),
        execution_options={"populate_existing": True},
    ).one_or_none()
    if cycle is None:
        raise CycleClosed()
    require_open(cycle, now)
    if cycle.order_cap is not None and cycle.orders_count > cycle.order_cap:
        raise CycleFull()


def _lock_slot(slot_id: int) -> PickupSlot | None:
    return db.session.scalar(
        select(PickupSlot)
        .where(PickupSlot.id == slot_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


def _lock_stock(offer_ids: Iterable[int]) -> dict[int, CycleOffer]:
    """Lock the variants then the offers, each in id order; return the offers by id."""
    ids = sorted(set(offer_ids))
    if not ids:
        return {}
    # one statement: PostgreSQL sorts the rows, then locks them in that order
    list(
        db.session.scalars(
            select(Variant)
            .where(Variant.id.in_(select(CycleOffer.variant_id).where(CycleOffer.id.in_(ids))))
            .order_by(Variant.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    offers = db.session.scalars(
        select(CycleOffer)
        .where(CycleOffer.id.in_(ids))
        .order_by(CycleOffer.id)
        # the variants come along (already locked above): no lazy load per offer afterwards
        .options(
            joinedload(CycleOffer.variant, innerjoin=True).joinedload(
                Variant.product, innerjoin=True
            )
        )
        .with_for_update(of=CycleOffer)
        .execution_options(populate_existing=True)
    )
    return {offer.id: offer for offer in offers}


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

    offers = _lock_stock(wanted)
    # A concurrent double submission waited on the same item locks: it now sees the first order.
    existing = _existing_for_key(idempotency_key, customer, guest_email)
    if existing is not None:
        db.session.commit()  # release the locks
        return existing
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
        raise InsufficientStock(shortages)

    order = Order(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        cycle_id=cycle.id,
        hub_id=cycle.hub_id,
        customer_id=customer.id if customer else None,
        customer_name=(customer.full_name if customer else guest_name.strip())[:120],
        customer_email=(customer.email if customer else guest_email)[:254],
        customer_phone=((customer.phone if customer else "") or (guest_phone or "").strip())[:40],
        pickup_window_id=window.id,
        pickup_slot_id=pickup_slot_id if slot_ids else None,
        payment_method=method,
        payment_status=PaymentStatus.unpaid,
        idempotency_key=idempotency_key or None,
        currency=current_app.config.get("CURRENCY", "EUR"),
        customer_note=(customer_note or "").strip()[:2000],
        terms_accepted_at=now,
        placed_at=now,
    )
    if method is PaymentMethod.card:
        order.status = OrderStatus.pending_payment
        order.payment_status = PaymentStatus.pending
        order.hold_expires_at = now + timedelta(
            minutes=int(current_app.config.get("PAYMENT_HOLD_MINUTES", 30))
        )
    else:
        order.status = OrderStatus.confirmed

    for offer_id in sorted(wanted, key=lambda oid: (offers[oid].producer_id, oid)):
        offer = offers[offer_id]
        quantity = wanted[offer_id]
        _take_stock(offer, quantity)
        order.lines.append(_new_line(offer, quantity))
    pricing.recompute_totals(order)
    if order.total_cents < cycle.hub.min_order_cents:
        raise BelowMinimumOrder(cycle.hub.min_order_cents)
    db.session.add(order)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        found = _existing_for_key(idempotency_key, customer, guest_email)
        if found is not None:
            return found
        raise
    order.number = f"{now.year}-{order.id:06d}"
    if order.status is OrderStatus.confirmed:
        _queue_confirmation(order)
    if customer is not None:
        db.session.execute(
            delete(Cart).where(Cart.user_id == customer.id, Cart.cycle_id == cycle.id)
        )
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
    return order


def _take_stock(offer: CycleOffer, quantity: int) -> None:
    variant = offer.variant
    if not variant.on_demand:
        variant.stock -= quantity
    if offer.remaining is not None:
        offer.remaining -= quantity


def _return_stock(offer: CycleOffer | None, quantity: int) -> None:
    if offer is None:
        return
    variant = offer.variant
    if variant is not None and not variant.on_demand:
        variant.stock += quantity
    if offer.remaining is not None:
        offer.remaining += quantity


def _new_line(offer: CycleOffer, quantity: int) -> OrderLine:
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


def cancel_order(
    order: Order, *, actor: User | None, restock: bool = True, reason: str = ""
) -> Order:
    """Cancel an order: stock, slot and cycle place returned under locks; commit once.

    A paid card payment is refunded after the commit (``payments.services.refund_payment``);
    an unpaid PaymentIntent is cancelled at Stripe (best effort). The commission ledger is synced
    and the "order cancelled" e-mail queued. Cancelling twice is a no-op.
    Raises OrderNotCancellable for a collected order.
    """
    locked = lock_order(order.id)
    assert locked is not None
    order = locked
    if order.status is OrderStatus.cancelled:
        db.session.commit()
        return order
    if order.status is OrderStatus.collected:
        raise OrderNotCancellable()
    if restock:
        _release(order)
    order.status = OrderStatus.cancelled
    order.cancelled_at = _now()
    order.hold_expires_at = None
    note = reason or ""
    if actor is not None and note:
        order.staff_note = (order.staff_note + "\n" if order.staff_note else "") + note
    to_refund = 0
    if order.payment_status in (PaymentStatus.paid, PaymentStatus.partially_refunded):
        # what is left of the payment: a hub's line edit may have changed the total since
        from payments.services import refundable_cents

        to_refund = refundable_cents(order) or order.total_cents - order.refunded_cents
    elif order.payment_status is PaymentStatus.pending:
        order.payment_status = PaymentStatus.unpaid
    coop_commission.sync_commission(order)
    _queue_cancellation(order, reason)
    _free_place(order)
    db.session.commit()
    _after_cancel(order, to_refund, reason)
    return order


def _now() -> datetime:
    from core.timeutils import utcnow

    return utcnow()


def _after_cancel(order: Order, to_refund: int, reason: str) -> None:
    """Outside any lock: refund what was paid by card, or cancel the unpaid PaymentIntent."""
    from payments import services as payment_services

    if order.payment_method is not PaymentMethod.card:
        return
    try:
        if to_refund > 0:
            payment_services.refund_payment(order, to_refund, reason=reason or "order cancelled")
        else:
            payment_services.cancel_open_intents(order)
    except DomainError:
        log.exception("after cancelling order %s: refund or intent cancel failed", order.id)


def release_expired_holds(now: datetime) -> int:
    """Cancel card orders never paid before ``hold_expires_at``; return how many were released.

    Each order is handled in its own transaction (SKIP LOCKED: an order being paid right now is
    left for the next run). Run by cron: ``flask orders release-expired``.
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
        order = lock_order(order_id, skip_locked=True)
        if (
            order is None
            or order.status is not OrderStatus.pending_payment
            or order.hold_expires_at is None
            or order.hold_expires_at >= now
            or order.payment_status is PaymentStatus.paid
        ):
            db.session.commit()
            continue
        _release(order)
        order.status = OrderStatus.cancelled
        order.cancelled_at = now
        order.hold_expires_at = None
        order.payment_status = PaymentStatus.unpaid
        order.staff_note = (order.staff_note + "\n" if order.staff_note else "") + (
            "payment not completed in time: stock released"
        )
        coop_commission.sync_commission(order)
        _queue_cancellation(order, "hold expired")
        _free_place(order)
        db.session.commit()
        released += 1
        _after_cancel(order, 0, "hold expired")
    return released


def can_citizen_change(order: Order, now: datetime) -> bool:
    """Citizens may edit or cancel until the cycle closes, when the hub allows it."""
    return (
        order.status in (OrderStatus.confirmed, OrderStatus.pending_payment)
        and order.hub.allows_order_changes
        and order.cycle.is_open(now)
    )


def update_order_lines(
    order: Order, changes: dict[int, int], *, actor: User | None, now: datetime | None = None
) -> Order:
    """The citizen changes quantities before the cycle closes ({offer_id: new quantity}; 0 removes).

    Only unpaid pay-at-pickup orders can be edited (an order paid online is cancelled, which
    refunds it, and placed again: no partial charge to reconcile). Locks the order, the cycle, the
    variants and offers; stock moves by the difference. Removing every line cancels the order.
    Raises OrderNotEditable, OfferUnavailable, InsufficientStock.
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
    current = {line.offer_id: line for line in order.lines if line.offer_id is not None}
    target = {int(k): max(0, min(int(v), MAX_QUANTITY)) for k, v in changes.items()}
    remaining = {oid: target.get(oid, line.quantity) for oid, line in current.items()}
    remaining.update({k: v for k, v in target.items() if k not in current})
    if not any(q > 0 for q in remaining.values()):
        db.session.commit()
        return cancel_order(order, actor=actor, reason="all items removed by the customer")
    offers = _lock_stock(target)
    cycle = _lock_cycle(order.cycle_id)  # last: nothing is locked after it
    shortages: list[Shortage] = []
    for offer_id, quantity in target.items():
        before = current[offer_id].quantity if offer_id in current else 0
        delta = quantity - before
        offer = offers.get(offer_id)
        if delta > 0:
            if not _sellable(offer, cycle):
                raise OfferUnavailable()
            assert offer is not None
            available = available_quantity(offer, offer.variant)
            if available is not None and delta > available:
                shortages.append(Shortage(offer_id, item_name(offer.variant), delta, available))
    if shortages:
        raise InsufficientStock(shortages)
    for offer_id, quantity in target.items():
        line = current.get(offer_id)
        before = line.quantity if line is not None else 0
        delta = quantity - before
        offer = offers.get(offer_id)
        if delta > 0 and offer is not None:
            _take_stock(offer, delta)
        elif delta < 0:
            _return_stock(offer, -delta)
        if line is None and quantity > 0 and offer is not None:
            order.lines.append(_new_line(offer, quantity))
        elif line is not None and quantity == 0:
            order.lines.remove(line)
        elif line is not None:
            line.quantity = quantity
    pricing.recompute_totals(order)
    db.session.commit()
    return order


def orders_of(user: User) -> list[Order]:
    """A citizen's orders, newest first (lines loaded in one more query)."""
    from sqlalchemy.orm import joinedload, selectinload

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
