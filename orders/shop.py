"""The shopfront query: a page of a cycle's offers in a constant number of SQL statements.

Whatever the catalogue size (50 or 10,000 offered variants) a page costs: the rows of the page
(offers joined with variants, products and producers, LIMIT/OFFSET on an index-backed filter),
their count, and two small facet queries (producers, categories). Search is ILIKE on the product,
variant and producer names (case-insensitive on PostgreSQL and SQLite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import Select, and_, func, or_, select

from core.db import db
from cycles.models import CycleOffer, OrderCycle
from enterprises.models import Enterprise
from orders.services import available_quantity
from products.models import Product, Variant

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
    """ "dfc-pt:fresh-vegetable" → "Fresh vegetable" (the DFC product type, readable)."""
    if not product_type:
        return ""
    tail = product_type.split(":", 1)[-1].split("#")[-1].split("/")[-1]
    words = tail.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


def _filters(q: str, producer_id: int | None, category: str) -> list:
    conditions = []
    if q:
        pattern = f"%{_escape_like(q.strip())}%"
        conditions.append(
            or_(
                Product.name.ilike(pattern, escape="\\"),
                Variant.name.ilike(pattern, escape="\\"),
                Enterprise.name.ilike(pattern, escape="\\"),
                Product.description.ilike(pattern, escape="\\"),
            )
        )
    if producer_id:
        conditions.append(CycleOffer.producer_id == producer_id)
    if category:
        conditions.append(Product.product_type == category)
    return conditions


def shop_page(
    cycle: OrderCycle,
    *,
    q: str = "",
    producer_id: int | None = None,
    category: str = "",
    sort: str = "producer",
    page: int = 1,
    per_page: int = PAGE_SIZE,
    with_facets: bool = True,
) -> ShopPage:
    """One page of the cycle's shopfront (4 statements; 2 with ``with_facets=False``)."""
    from orders.pricing import hub_fee_cents

    page = max(1, page)
    conditions = _filters(q, producer_id, category)
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
    )
    if sort == "name":
        order = (Product.name, Variant.id)
    elif sort == "price":
        order = (Variant.price_cents, Variant.id)
    else:
        order = (Enterprise.name, Product.name, Variant.id)
    rows = db.session.execute(
        joined.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    total = db.session.scalar(
        select(func.count())
        .select_from(CycleOffer)
        .join(Variant, Variant.id == CycleOffer.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Enterprise, Enterprise.id == CycleOffer.producer_id)
        .where(base_where)
    )
    items = [
        ShopItem(
            offer=offer,
            variant=variant,
            product=product,
            producer=producer,
            available=available_quantity(offer, variant),
            unit_price_cents=variant.price_cents + hub_fee_cents(offer, variant.price_cents),
        )
        for offer, variant, product, producer in rows
    ]
    result = ShopPage(items=items, total=int(total or 0), page=page, per_page=per_page)
    if with_facets:
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
    return result
