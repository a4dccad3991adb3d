"""The shopfront query: a page of a cycle's offers in a constant number of SQL statements.

Whatever the catalogue size (50 or 10,000 offered variants) a page costs: the rows of the page
(offers joined with variants, products and producers, LIMIT/OFFSET on an index-backed filter)
with their count in the same statement, and two small facet queries (producers, categories),
reusable across pages. Search (``products.search``) ignores accents, ligatures and case, finds
word starts and plurals in the product, variant and producer names and the description, ranks
name matches first, and corrects small typos when nothing matches. The rendered page is cached
for a few seconds per app server (``FragmentCache``, ``SHOP_CACHE_SECONDS``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, union
from sqlalchemy.orm import selectinload

from core.db import db
from cycles.models import CycleOffer, OrderCycle
from enterprises.models import Enterprise
from orders import pricing
from orders.services import available_quantity
from products import search
from products.models import Product, ProductLabel, Variant

PAGE_SIZE = 24
LOW_STOCK = 5
SORTS = ("producer", "name", "price")


@dataclass
class ShopItem:
    offer: CycleOffer
    variant: Variant
    product: Product
    producer: Enterprise
    available: int | None
    unit_price_cents: int
    #: the hub fee contained in the unit price
    hub_fee_cents: int = 0

    @property
    def breakdown(self) -> pricing.LineBreakdown:
        """Who gets what of the unit price (the shop card's disclosure)."""
        vat_rate_bp = self.product.vat_rate_bp
        return pricing.breakdown(self.unit_price_cents, self.hub_fee_cents, vat_rate_bp)

    @property
    def low_stock(self) -> bool:
        return self.available is not None and 0 < self.available <= LOW_STOCK

    @property
    def sold_out(self) -> bool:
        return self.available is not None and self.available <= 0


@dataclass
class Facet:
    value: str
    label: str
    count: int


@dataclass
class ShopPage:
    items: list[ShopItem]
    total: int
    page: int
    per_page: int
    producers: list[Facet] = field(default_factory=list)
    categories: list[Facet] = field(default_factory=list)
    #: the search found nothing as typed: these are close matches (products.search)
    corrected: bool = False

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def category_label(product_type: str) -> str:
    """ "dfc-pt:apples" → "Pomme" (the taxonomy's label in the reader's language)."""
    from products.categories import category_label as label

    return label(product_type) if product_type else ""


def _base(cycle: OrderCycle) -> Select:
    return (
        select(CycleOffer.id)
        .join(Variant, Variant.id == CycleOffer.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Enterprise, Enterprise.id == CycleOffer.producer_id)
        .where(
            CycleOffer.cycle_id == cycle.id,
            CycleOffer.active.is_(True),
            Variant.active.is_(True),
            Product.active.is_(True),
        )
    )


def _producers_named(words: tuple[str, ...]) -> ColumnElement[bool]:
    """Offers of the producers whose name has a word starting with one of ``words``."""
    folded = func.comptoir_fold(Enterprise.name)
    named = select(Enterprise.id).where(or_(*(folded.like(f"% {w}%") for w in words)))
    return CycleOffer.producer_id.in_(named)


#: where the shop looks: the product's name first, then the variant's and the producer's, then
#: the description (products.search)
SEARCH = search.Fields(
    names=(Product.search_name, Variant.search_name),
    others=(Product.search_description,),
    also=_producers_named,
)


def _filters(query: search.Query, producer_id: int | None, category: str, label: str = "") -> list:
    conditions = []
    matching = SEARCH.condition(query)
    if matching is not None:
        conditions.append(matching)
    if producer_id:
        conditions.append(CycleOffer.producer_id == producer_id)
    if category:
        conditions.append(Product.product_type == category)
    if label:  # products carrying this label (AB, Label Rouge...: orders.shop_labels)
        labelled = select(ProductLabel.product_id).where(ProductLabel.code == label)
        conditions.append(Product.id.in_(labelled))
    return conditions


def _vocabulary(cycle: OrderCycle, max_age: float) -> set[str]:
    """The words of the names the cycle offers (products, variants, producers): one statement,
    reused for ``max_age`` seconds (a stale word only changes a suggestion)."""
    cached = vocabularies.get(cycle.id, max_age) if max_age else None
    if cached is not None:
        return set(cached)
    offered = and_(
        CycleOffer.cycle_id == cycle.id,
        CycleOffer.active.is_(True),
        Variant.active.is_(True),
    )
    names = db.session.execute(
        union(
            select(Product.search_name).where(
                Product.active.is_(True),
                Product.id.in_(
                    select(Variant.product_id)
                    .join(CycleOffer, CycleOffer.variant_id == Variant.id)
                    .where(offered)
                ),
            ),
            select(Variant.search_name)
            .join(CycleOffer, CycleOffer.variant_id == Variant.id)
            .where(offered),
            select(func.comptoir_fold(Enterprise.name)).where(
                Enterprise.id.in_(
                    select(CycleOffer.producer_id).where(CycleOffer.cycle_id == cycle.id)
                )
            ),
        )
    ).scalars()
    words = search.vocabulary(names)
    if max_age:
        vocabularies.put(cycle.id, frozenset(words))
    return words


def _corrected(cycle: OrderCycle, query: search.Query, max_age: float) -> search.Query:
    """The query with its misspelt words replaced by the cycle's close words (no statement
    when no word is long enough to be corrected)."""
    if not any(search.typo_limit(t) for t in query.terms):
        return query
    return search.corrections(query, _vocabulary(cycle, max_age))


def shop_page(
    cycle: OrderCycle,
    *,
    q: str | search.Query = "",
    producer_id: int | None = None,
    category: str = "",
    label: str = "",
    sort: str = "producer",
    page: int = 1,
    per_page: int = PAGE_SIZE,
    with_facets: bool = True,
    facets_max_age: float = 0,
) -> ShopPage:
    """One page of the cycle's shopfront (4 statements; 2 with ``with_facets=False``: the
    page's rows, then the labels of their products; plus one for the photos of the page's
    products when it has any).

    The rows and their total come in one statement (``count(*) OVER ()``: one scan of the
    filtered catalogue, not two); the facets do not depend on the filters, so with
    ``facets_max_age`` they are reused for that many seconds across pages and searches.
    A search that finds nothing is corrected and run again (2 more statements: the catalogue's
    words, the page): ranked by relevance (products.search), then ``sort``.
    """
    from orders.pricing import hub_fee_cents

    page = max(1, page)
    query = q if isinstance(q, search.Query) else search.parse(q)
    conditions = _filters(query, producer_id, category, label)
    base_where = and_(
        CycleOffer.cycle_id == cycle.id,
        CycleOffer.active.is_(True),
        Variant.active.is_(True),
        Product.active.is_(True),
        *conditions,
    )
    joined = (
        select(CycleOffer, Variant, Product, Enterprise)
        .join(Variant, Variant.id == CycleOffer.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Enterprise, Enterprise.id == CycleOffer.producer_id)
        .where(base_where)
        .options(selectinload(Product.labels))  # the cards' label badges, one statement
    )
    if sort == "name":
        order: tuple[Any, ...] = (Product.name, Variant.id)
    elif sort == "price":
        order = (Variant.price_cents, Variant.id)
    else:
        order = (Enterprise.name, Product.name, Variant.id)
    if query.terms:
        order = (SEARCH.rank(query), *order)
    rows = db.session.execute(
        joined.add_columns(func.count().over())
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(selectinload(Product.photos))  # the cards' photos: one more query per page
    ).all()
    if rows:
        total = rows[0][4]
    elif page == 1:
        total = 0
    else:  # past the last page: the window saw no row, count them apart
        total = db.session.scalar(
            select(func.count())
            .select_from(CycleOffer)
            .join(Variant, Variant.id == CycleOffer.variant_id)
            .join(Product, Product.id == Variant.product_id)
            .join(Enterprise, Enterprise.id == CycleOffer.producer_id)
            .where(base_where)
        )
    if not total and query.terms and not query.corrected:
        corrected = _corrected(cycle, query, facets_max_age)
        if corrected.corrected:
            return shop_page(
                cycle,
                q=corrected,
                producer_id=producer_id,
                category=category,
                sort=sort,
                page=page,
                per_page=per_page,
                with_facets=with_facets,
                facets_max_age=facets_max_age,
            )
    items = [
        ShopItem(
            offer=offer,
            variant=variant,
            product=product,
            producer=producer,
            available=available_quantity(offer, variant),
            unit_price_cents=variant.price_cents + fee,
            hub_fee_cents=fee,
        )
        for offer, variant, product, producer, _total in rows
        for fee in (hub_fee_cents(offer, variant.price_cents),)
    ]
    result = ShopPage(items=items, total=int(total or 0), page=page, per_page=per_page)
    result.corrected = query.corrected
    cached_facets = facets.get(cycle.id, facets_max_age) if facets_max_age else None
    if with_facets and cached_facets is not None:
        result.producers, result.categories = cached_facets
    elif with_facets:
        offered = and_(
            CycleOffer.cycle_id == cycle.id,
            CycleOffer.active.is_(True),
            Variant.active.is_(True),
            Product.active.is_(True),
        )
        producers = db.session.execute(
            select(Enterprise.id, Enterprise.name, func.count(CycleOffer.id))
            .select_from(CycleOffer)
            .join(Variant, Variant.id == CycleOffer.variant_id)
            .join(Product, Product.id == Variant.product_id)
            .join(Enterprise, Enterprise.id == CycleOffer.producer_id)
            .where(offered)
            .group_by(Enterprise.id, Enterprise.name)
            .order_by(Enterprise.name)
        ).all()
        result.producers = [Facet(str(pid), name, n) for pid, name, n in producers]
        categories = db.session.execute(
            select(Product.product_type, func.count(CycleOffer.id))
            .select_from(CycleOffer)
            .join(Variant, Variant.id == CycleOffer.variant_id)
            .join(Product, Product.id == Variant.product_id)
            .where(offered, Product.product_type != "")
            .group_by(Product.product_type)
        ).all()
        result.categories = sorted(
            (Facet(pt, category_label(pt), n) for pt, n in categories),
            key=lambda f: f.label.lower(),
        )
        if facets_max_age:
            facets.put(cycle.id, (result.producers, result.categories))
    # labelled here, not in the cache: a French and an English reader share the cached counts
    result.categories = sorted(
        (Facet(f.value, category_label(f.value), f.count) for f in result.categories),
        key=lambda f: f.label.lower(),
    )
    return result


# --------------------------------------------------------------------------- rendered-page cache


class FragmentCache:
    """Rendered catalogue fragments, per process, bounded in number and age (thread-safe).

    The catalogue part of a shop page (filters, item cards, pagination) is the same for every
    visitor asking for the same page: at 10,000 offered variants it costs about 25 ms of SQL and
    10 ms of templating, so during an opening rush each worker renders it at most once per
    ``SHOP_CACHE_SECONDS`` per page. Visitor-specific bits (CSRF token, cart quantities, the
    "next" link) are placeholders filled per request (``fill_fragment``). Nothing here decides
    a sale: the cart and checkout re-check stock under row locks, so a stale "only 3 left" is
    at worst a few seconds old. App servers share nothing through it (each has its own).
    """

    def __init__(self, max_entries: int = 512) -> None:
        import threading
        from collections import OrderedDict

        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: Hashable, max_age: float) -> Any | None:
        import time

        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            stored_at, value = found
            if time.monotonic() - stored_at > max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        import time

        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: rendered shop pages, by (cycle, filters, page, locale, open)
fragments = FragmentCache()
#: producer and category facets, by cycle (the same for every page and search of a cycle)
facets = FragmentCache(max_entries=256)
#: the words of a cycle's names, for typo corrections (products.search), by cycle
vocabularies = FragmentCache(max_entries=64)

#: placeholders in a cached page, replaced per request by ``fill_fragment``
CSRF_MARK = "\x00csrf\x00"
NEXT_MARK = "\x00next\x00"
CART_COUNT_MARK = "\x00cart-count\x00"
_CART_MARK = re.compile("\x00cart:(\\d+)\x00")


def cart_mark(offer_id: int) -> str:
    return f"\x00cart:{offer_id}\x00"


_NOTE_MARK = re.compile("\x00note:(\\d+)\x00")
NOTE_KINDS = ("success", "warning", "error")


def note_mark(offer_id: int) -> str:
    """Where a card shows what its last "Add" did (without JavaScript: after the redirect)."""
    return f"\x00note:{offer_id}\x00"


#: template variables standing for the visitor's values in ``orders/_shop_content.html``
MARKS = {
    "csrf_mark": CSRF_MARK,
    "next_mark": NEXT_MARK,
    "cart_count_mark": CART_COUNT_MARK,
    "cart_mark": cart_mark,
    "note_mark": note_mark,
}


def fill_fragment(
    fragment: str,
    *,
    csrf: str,
    next_path: str,
    cart_count: int,
    cart_labels: dict[int, str],
    notes: dict[int, tuple[str, str]] | None = None,
) -> str:
    """The visitor's copy of a cached page: their CSRF token, return path and cart, and the
    message of the card they just added from (``notes``: offer id → (kind, text))."""
    from markupsafe import escape

    filled = (
        fragment.replace(CSRF_MARK, str(escape(csrf)))
        .replace(NEXT_MARK, str(escape(next_path)))
        .replace(CART_COUNT_MARK, str(int(cart_count)))
    )
    filled = _CART_MARK.sub(lambda m: str(escape(cart_labels.get(int(m[1]), ""))), filled)

    def note(match: re.Match[str]) -> str:
        found = (notes or {}).get(int(match[1]))
        if found is None:
            return ""
        kind = found[0] if found[0] in NOTE_KINDS else "success"
        return f'<p class="add-note add-note-{kind}">{escape(found[1])}</p>'

    return _NOTE_MARK.sub(note, filled)


# --------------------------------------------------------------------------- elsewhere


@dataclass
class Elsewhere:
    """What a closed or empty shop points to: the hub's next cycle, and its cycles open now."""

    next_cycle: OrderCycle | None
    open_cycles: list[OrderCycle]


def other_cycles(cycle: OrderCycle, now: datetime) -> Elsewhere:
    """The hub's other cycles a citizen may turn to (one query): the next to open, if announced,
    and those open now (soonest closing first)."""
    from cycles.services import public_cycles

    others = [c for c in public_cycles(cycle.hub, now) if c.id != cycle.id]
    upcoming = [c for c in others if c.opens_at > now]
    open_now = sorted(
        (c for c in others if c.is_open(now)), key=lambda c: (c.effective_closes_at, c.id)
    )
    return Elsewhere(next_cycle=upcoming[0] if upcoming else None, open_cycles=open_now)
