"""The cart: a logged-in user's saved cart (a row per cycle, locked while it changes), a
guest's in the session; priced as the catalogue stands."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from core.db import commit_keeping_loaded, db
from cycles.models import CycleOffer, OrderCycle
from cycles.services import require_open
from orders import pricing
from orders.errors import (
    OfferUnavailable,
    UnusualQuantity,
)
from orders.models import (
    Cart,
    CartItem,
)
from orders.stock import MAX_QUANTITY, _sellable, available_quantity, item_name
from orders.usual import needs_confirmation
from products.models import Product, Variant

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- cart


@dataclass
class CartChange:
    """The cart after a change, and what the citizen should be told."""

    items: dict[int, int]
    quantity: int
    capped: bool = False
    message: str = ""
    #: what is left of the item (None: not counted)
    available: int | None = None


@dataclass
class CartLineView:
    offer: CycleOffer
    variant: Variant
    product: Product
    quantity: int
    price: pricing.LinePrice
    available: int | None

    @property
    def producer(self):
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


@dataclass(frozen=True)
class OpenCart:
    """A cart the visitor can still check out: its cycle is open (the header's indicator)."""

    cycle: OrderCycle
    count: int


def open_carts(
    user: User | None, guest_carts: Mapping[int, Mapping[int, int]], now: datetime
) -> list[OpenCart]:
    """The visitor's non-empty carts in cycles open now, closing first (one query, none for a
    guest without a cart): a logged-in user's saved carts, else the guest's session carts."""
    from cycles.permissions import shop_is_public

    if user is not None:
        counts = (
            select(Cart.cycle_id, func.sum(CartItem.quantity).label("n"))
            .join(CartItem, CartItem.cart_id == Cart.id)
            .where(Cart.user_id == user.id)
            .group_by(Cart.cycle_id)
            .subquery()
        )
        rows = [
            (cycle, int(n or 0))
            for cycle, n in db.session.execute(
                select(OrderCycle, counts.c.n)
                .join(counts, counts.c.cycle_id == OrderCycle.id)
                .where(OrderCycle.closes_at > now)
                .options(joinedload(OrderCycle.hub))
            )
        ]
    else:
        wanted = {cid: sum(items.values()) for cid, items in guest_carts.items() if items}
        if not wanted:
            return []
        rows = [
            (cycle, wanted[cycle.id])
            for cycle in db.session.scalars(
                select(OrderCycle)
                .where(OrderCycle.id.in_(sorted(wanted)), OrderCycle.closes_at > now)
                .options(joinedload(OrderCycle.hub))
            )
        ]
    found = [
        OpenCart(cycle=cycle, count=n)
        for cycle, n in rows
        if n > 0 and shop_is_public(cycle) and cycle.is_open(now)
    ]
    return sorted(found, key=lambda c: (c.cycle.effective_closes_at, c.cycle.id))


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
    ask_unusual: bool = False,
    now: datetime,
) -> CartChange:
    """Set (or with ``add`` increase) an item's quantity, capped to what is available.

    Raises CycleClosed (CycleNotOpenYet before it opens), OfferUnavailable. For a logged-in
    user the cart is saved (commit): its row is locked and its items read under the lock, so
    two quick changes (two tabs, parallel API calls) both count (``items`` is not needed). A
    guest's cart lives in the session: ``items`` is it, and the caller stores ``result.items``.
    With ``ask_unusual`` a quantity far above usual (``orders.usual``) raises UnusualQuantity
    and changes nothing: the shop asks the citizen, who sends it again without the flag.
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
        assert cart is not None
        # its items came with the locked row (one statement instead of two)
        items = {item.offer_id: item.quantity for item in cart.items}
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
    if ask_unusual and needs_confirmation(offer.variant, items.get(offer_id, 0), wanted):
        raise UnusualQuantity(offer_id=offer_id, name=item_name(offer.variant), quantity=wanted)
    if wanted > 0:
        items[offer_id] = wanted
    else:
        items.pop(offer_id, None)
    if user is not None:
        _save_cart(user, cycle, items, cart)
        commit_keeping_loaded()  # the caller shows the cart at once
    return CartChange(
        items=items, quantity=wanted, capped=capped, message=message, available=available
    )


def _lock_cart(user: User, cycle: OrderCycle, *, create: bool) -> Cart | None:
    """The person's cart row for the cycle, locked (created first if ``create``), so that two
    requests of the same person (two tabs, quick clicks) apply one after the other."""
    where = (Cart.user_id == user.id, Cart.cycle_id == cycle.id)
    # its items by a second statement, run once the lock is held, so they are the latest ones
    # (a join would read them from the snapshot taken before waiting for the lock)
    locked = (
        select(Cart)
        .where(*where)
        .options(selectinload(Cart.items))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
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
