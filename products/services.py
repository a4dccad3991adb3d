"""Catalogue use cases: products, variants, quick edits and the producer's list.

Each top-level function enforces the rules, commits once and raises ``DomainError``s; the caller
has already checked that the acting user manages the producer (``products.permissions``).
The CSV import and export live in ``products.csv_io``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from math import ceil
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.errors import DomainError
from enterprises.models import Enterprise
from products import categories, foodinfo, search
from products.errors import DuplicateSku, InvalidProduct, InvalidVariant
from products.models import VAT_RATES_BP, Product, ProductLabel, Unit, UnitKind, Variant
from products.units import format_quantity, unit_kind

#: a variant with this stock or less (and not on demand) is "low stock" in the producer's list
LOW_STOCK = 5
MAX_PRICE_CENTS = 10_000_000  # 100,000 EUR: a typing error above this
MAX_STOCK = 1_000_000_000
MAX_UNIT_VALUE = Decimal("999999999")
PAGE_SIZE = 50


@dataclass
class ProductInput:
    name: str
    product_type: str = ""
    description: str = ""
    vat_rate_bp: int = 550
    active: bool = True
    labels: list[str] = field(default_factory=list)
    #: food information (products.foodinfo); None leaves the product's as it is
    food: foodinfo.FoodInfo | None = None


@dataclass
class VariantInput:
    sku: str
    unit: Unit | str
    unit_value: Decimal
    price_cents: int
    name: str = ""
    on_demand: bool = False
    stock: int = 0
    sold_by_weight: bool = False
    active: bool = True


class StockChanged(DomainError):
    code = "stock_changed"
    status = 409

    def __init__(self, current: int) -> None:
        message = _l(
            "The stock changed since the page was loaded (orders came in): it is now "
            "%(stock)s. Check it and save again.",
            stock=current,
        )
        super().__init__(message, fields={"stock": str(message)})
        #: the stock now, so the page (or API client) can show it and retry
        self.current_stock = current


# -- rules, shared by the forms, the API and the CSV import ----------------------------------


def product_errors(data: ProductInput) -> dict[str, str]:
    """Field -> message for every broken rule of a product (empty when valid)."""
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = str(_l("The name is required."))
    elif len(name) > 150:
        errors["name"] = str(_l("The name is too long (150 characters at most)."))
    if data.product_type and not categories.is_category(data.product_type):
        errors["product_type"] = str(_l("Unknown category."))
    if data.vat_rate_bp not in VAT_RATES_BP:
        errors["vat_rate_bp"] = str(_l("The VAT rate must be 0, 5.5, 10 or 20 %."))
    unknown = [code for code in data.labels if not categories.is_label(code)]
    if unknown:
        errors["labels"] = str(_l("Unknown label: %(labels)s.", labels=", ".join(unknown)))
    if data.food is not None:
        errors.update(foodinfo.errors(data.food))
    return errors


def variant_errors(data: VariantInput) -> dict[str, str]:
    """Field -> message for every broken rule of a variant (empty when valid)."""
    errors: dict[str, str] = {}
    sku = (data.sku or "").strip()
    if not sku:
        errors["sku"] = str(_l("The SKU is required."))
    elif len(sku) > 64:
        errors["sku"] = str(_l("The SKU is too long (64 characters at most)."))
    if len((data.name or "").strip()) > 120:
        errors["name"] = str(_l("The name is too long (120 characters at most)."))
    try:
        unit = Unit(data.unit)
    except ValueError:
        errors["unit"] = str(_l("Unknown unit."))
        unit = None
    value = data.unit_value
    if value is None or not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        errors["unit_value"] = str(_l("The quantity must be a number above zero."))
    elif value > MAX_UNIT_VALUE or value != value.quantize(Decimal("0.001")):
        errors["unit_value"] = str(_l("The quantity has at most 3 decimals."))
    if not isinstance(data.price_cents, int) or data.price_cents < 0:
        errors["price_cents"] = str(_l("The price must be zero or more."))
    elif data.price_cents > MAX_PRICE_CENTS:
        errors["price_cents"] = str(_l("The price is too high."))
    if not data.on_demand:
        if not isinstance(data.stock, int) or data.stock < 0:
            errors["stock"] = str(_l("The stock cannot be negative."))
        elif data.stock > MAX_STOCK:
            errors["stock"] = str(_l("The stock is too high."))
    if data.sold_by_weight and unit is not None and unit_kind(unit) is not UnitKind.weight:
        errors["sold_by_weight"] = str(
            _l("A variant sold by weight needs a weight unit (g or kg): its estimated weight.")
        )
    return errors


def _clean_product(data: ProductInput) -> ProductInput:
    errors = product_errors(data)
    if errors:
        raise InvalidProduct(fields=errors)
    labels = list(dict.fromkeys(categories.normalize(code) for code in data.labels))
    return ProductInput(
        name=data.name.strip(),
        product_type=categories.normalize(data.product_type),
        description=(data.description or "").strip(),
        vat_rate_bp=data.vat_rate_bp,
        active=bool(data.active),
        labels=labels,
        food=foodinfo.clean(data.food) if data.food is not None else None,
    )


def _clean_variant(data: VariantInput) -> VariantInput:
    errors = variant_errors(data)
    if errors:
        raise InvalidVariant(fields=errors)
    name = (data.name or "").strip() or format_quantity(data.unit, data.unit_value)
    return VariantInput(
        sku=data.sku.strip(),
        unit=Unit(data.unit),
        unit_value=data.unit_value,
        price_cents=data.price_cents,
        name=name,
        on_demand=bool(data.on_demand),
        stock=0 if data.on_demand else data.stock,
        sold_by_weight=bool(data.sold_by_weight),
        active=bool(data.active),
    )


def _apply_product(product: Product, data: ProductInput) -> None:
    product.name = data.name
    product.product_type = data.product_type
    product.description = data.description
    product.vat_rate_bp = data.vat_rate_bp
    product.active = data.active
    current = {label.code for label in product.labels}
    wanted = set(data.labels)
    for label in list(product.labels):
        if label.code not in wanted:
            product.labels.remove(label)
    for code in data.labels:
        if code not in current:
            product.labels.append(ProductLabel(code=code))
    if data.food is not None:
        foodinfo.apply(product, data.food)


def _apply_variant(variant: Variant, data: VariantInput) -> None:
    variant.name = data.name
    variant.sku = data.sku
    variant.unit = Unit(data.unit)
    variant.unit_value = data.unit_value
    variant.price_cents = data.price_cents
    variant.on_demand = data.on_demand
    variant.stock = data.stock
    variant.sold_by_weight = data.sold_by_weight
    variant.active = data.active


def _flush_or_duplicate_sku() -> None:
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if "sku" in str(exc.orig).lower():
            raise DuplicateSku(fields={"sku": str(DuplicateSku.message)}) from exc
        raise


# -- products and variants -------------------------------------------------------------------


def create_product(
    producer: Enterprise, data: ProductInput, variants: list[VariantInput] | None = None
) -> Product:
    """Create a product of ``producer`` with its first variants.

    Raises InvalidProduct / InvalidVariant (fields), DuplicateSku (the producer already has it).
    """
    if not producer.is_producer:
        raise InvalidProduct(_l("Only a producer enterprise has a catalogue."))
    clean = _clean_product(data)
    clean_variants = [_clean_variant(v) for v in variants or []]
    skus = [v.sku for v in clean_variants]
    if len(set(skus)) != len(skus):
        raise DuplicateSku(fields={"sku": str(_l("Two variants have the same SKU."))})
    product = Product(producer_id=producer.id, producer=producer)
    _apply_product(product, clean)
    for item in clean_variants:
        variant = Variant(producer_id=producer.id)
        _apply_variant(variant, item)
        product.variants.append(variant)
    db.session.add(product)
    _flush_or_duplicate_sku()
    db.session.commit()
    return product


def update_product(product: Product, data: ProductInput) -> Product:
    """Change a product's fields and labels. Raises InvalidProduct."""
    _apply_product(product, _clean_product(data))
    db.session.commit()
    return product


def add_variant(product: Product, data: VariantInput) -> Variant:
    """Add a variant. Raises InvalidVariant, DuplicateSku."""
    clean = _clean_variant(data)
    variant = Variant(producer_id=product.producer_id)
    _apply_variant(variant, clean)
    product.variants.append(variant)
    _flush_or_duplicate_sku()
    db.session.commit()
    return variant


def _lock_variant(variant: Variant) -> Variant:
    """Orders decrement the stock under this row lock; changes to it take the same lock."""
    return db.session.scalars(
        select(Variant).where(Variant.id == variant.id).with_for_update()
    ).one()


def update_variant(
    variant: Variant, data: VariantInput, *, stock_seen: int | None = None
) -> Variant:
    """Change a variant. Locks its row; with ``stock_seen`` (the stock the producer saw) refuses
    to overwrite a stock that orders changed meanwhile (StockChanged). Raises InvalidVariant,
    DuplicateSku."""
    clean = _clean_variant(data)
    locked = _lock_variant(variant)
    if stock_seen is not None and not locked.on_demand and locked.stock != stock_seen:
        raise StockChanged(locked.stock)
    _apply_variant(locked, clean)
    _flush_or_duplicate_sku()
    db.session.commit()
    return locked


def quick_update_variant(
    variant: Variant,
    *,
    price_cents: int,
    stock: int | None,
    stock_seen: int | None = None,
    active: bool | None = None,
) -> Variant:
    """The list's quick edit: price and stock (``stock=None``: on demand), optionally active.

    Locks the variant; refuses (StockChanged) when orders changed the stock since ``stock_seen``.
    """
    locked = _lock_variant(variant)
    data = VariantInput(
        sku=locked.sku,
        unit=locked.unit,
        unit_value=locked.unit_value,
        price_cents=price_cents,
        name=locked.name,
        on_demand=stock is None,
        stock=stock or 0,
        sold_by_weight=locked.sold_by_weight,
        active=locked.active if active is None else active,
    )
    errors = variant_errors(data)
    if errors:
        raise InvalidVariant(fields=errors)
    if stock_seen is not None and not locked.on_demand and locked.stock != stock_seen:
        raise StockChanged(locked.stock)
    locked.price_cents = data.price_cents
    locked.on_demand = data.on_demand
    locked.stock = data.stock
    locked.active = data.active
    db.session.commit()
    return locked


# -- the producer's list ---------------------------------------------------------------------


@dataclass
class VariantFilters:
    q: str = ""
    category: str = ""
    #: "active", "inactive" or "" (all)
    status: str = ""
    low_stock: bool = False


@dataclass
class VariantRow:
    variant: Variant
    product: Product

    @property
    def low_stock(self) -> bool:
        return not self.variant.on_demand and self.variant.stock <= LOW_STOCK


@dataclass
class VariantPage:
    rows: list[VariantRow]
    total: int
    page: int
    per_page: int
    categories: list[tuple[str, int]]

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


_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


def _sku_contains(words: tuple[str, ...]) -> ColumnElement[bool]:
    return or_(*(Variant.sku.ilike(f"%{w}%") for w in words))


#: the producer's list finds a product by its name, its variants' names or a SKU (products.search)
CATALOGUE_SEARCH = search.Fields(
    names=(Product.search_name, Variant.search_name), also=_sku_contains
)


def _filtered(query: _Query, producer_id: int, filters: VariantFilters) -> _Query:
    query = query.where(Variant.producer_id == producer_id)
    matching = CATALOGUE_SEARCH.condition(search.parse(filters.q))
    if matching is not None:
        query = query.where(matching)
    if filters.category:
        query = query.where(Product.product_type == filters.category)
    if filters.status == "active":
        query = query.where(Variant.active.is_(True), Product.active.is_(True))
    elif filters.status == "inactive":
        query = query.where(or_(Variant.active.is_(False), Product.active.is_(False)))
    if filters.low_stock:
        query = query.where(Variant.on_demand.is_(False), Variant.stock <= LOW_STOCK)
    return query


def list_variants(
    producer_id: int, filters: VariantFilters, page: int = 1, per_page: int = PAGE_SIZE
) -> VariantPage:
    """One page of the producer's variants in three SQL statements whatever the catalogue size:
    the page's rows (variants joined to their products), their count, and the category facet."""
    base = select(Variant, Product).join(Product, Variant.product_id == Product.id)
    query = _filtered(base, producer_id, filters)
    count = db.session.scalar(
        _filtered(
            select(func.count(Variant.id)).join(Product, Variant.product_id == Product.id),
            producer_id,
            filters,
        )
    )
    total = int(count or 0)
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    result = db.session.execute(
        query.order_by(func.lower(Product.name), Product.id, Variant.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [VariantRow(variant=v, product=p) for v, p in result]
    facet = db.session.execute(
        select(Product.product_type, func.count(Product.id))
        .where(Product.producer_id == producer_id)
        .group_by(Product.product_type)
    ).all()
    return VariantPage(
        rows=rows,
        total=total,
        page=page,
        per_page=per_page,
        categories=[(code, int(n)) for code, n in facet if code],
    )


def get_product_with_variants(product_id: int) -> Product | None:
    from sqlalchemy.orm import selectinload

    return db.session.scalar(
        select(Product)
        .where(Product.id == product_id)
        .options(selectinload(Product.variants), selectinload(Product.labels))
    )
