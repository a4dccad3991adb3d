"""The catalogue: products and the variants (sold units) of producer enterprises."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Enum,
    FetchedValue,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.timeutils import utcnow
from products import search as _search  # noqa: F401 - SQLite's comptoir_fold, for the triggers

if TYPE_CHECKING:
    from enterprises.models import Enterprise

#: VAT rates allowed on food and drink in France, in basis points (5.5 % = 550)
VAT_RATES_BP = (0, 550, 1000, 2000)


class UnitKind(StrEnum):
    weight = "weight"
    volume = "volume"
    items = "items"


class Unit(StrEnum):
    """The unit a variant's quantity is expressed in. Names are stored: never rename."""

    g = "g"
    kg = "kg"
    ml = "ml"
    cl = "cl"
    l = "l"  # noqa: E741 - the litre symbol
    piece = "piece"
    dozen = "dozen"


#: each unit's kind and its factor to the base unit of the unit price (kg, l, piece)
UNIT_INFO: dict[Unit, tuple[UnitKind, Decimal]] = {
    Unit.g: (UnitKind.weight, Decimal("0.001")),
    Unit.kg: (UnitKind.weight, Decimal("1")),
    Unit.ml: (UnitKind.volume, Decimal("0.001")),
    Unit.cl: (UnitKind.volume, Decimal("0.01")),
    Unit.l: (UnitKind.volume, Decimal("1")),
    Unit.piece: (UnitKind.items, Decimal("1")),
    Unit.dozen: (UnitKind.items, Decimal("12")),
}


class Product(Model):
    __tablename__ = "products"
    __table_args__ = (
        #: any rate 0-100 % (DFC imports keep theirs); our forms offer VAT_RATES_BP
        CheckConstraint("vat_rate_bp BETWEEN 0 AND 10000", name="vat_rate"),
        CheckConstraint(
            "alcohol_percent IS NULL OR (alcohol_percent >= 0 AND alcohol_percent <= 100)",
            name="alcohol_range",
        ),
        CheckConstraint(
            "shelf_life_days IS NULL OR (shelf_life_days BETWEEN 1 AND 3650)",
            name="shelf_life_range",
        ),
        CheckConstraint("date_kind IN ('', 'dlc', 'ddm')", name="date_kind"),
        Index("ix_products_producer_active", "producer_id", "active"),
        *_search.trigram_indexes("products", "search_name", "search_description"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    #: name and description folded for search, kept by triggers (products.search)
    search_name: Mapped[str] = mapped_column(
        Text, server_default="", server_onupdate=FetchedValue()
    )
    search_description: Mapped[str] = mapped_column(
        Text, server_default="", server_onupdate=FetchedValue()
    )
    #: DFC product type, compact CURIE from taxonomy_productTypes ("dfc-pt:tomato")
    product_type: Mapped[str] = mapped_column(String(120), default="", index=True)
    #: legacy single photo (path relative to UPLOAD_FOLDER), no longer shown: see ``photos``
    image_path: Mapped[str] = mapped_column(String(200), default="")
    vat_rate_bp: Mapped[int] = mapped_column(default=550)
    active: Mapped[bool] = mapped_column(default=True)
    #: the DFC @id this product was imported from (re-import updates it)
    external_id: Mapped[str | None] = mapped_column(String(500))
    # food information before purchase (INCO 1169/2011 art. 14; products.foodinfo)
    ingredients: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: the declared allergens: products.foodinfo codes, comma-separated ("gluten,milk")
    allergens: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: where it comes from, in the producer's words ("Vertou, Loire-Atlantique")
    origin: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: the DFC territorial origin facet ("dfc-f:PaysDeLoire"), or ""
    origin_code: Mapped[str] = mapped_column(String(120), default="", server_default="")
    storage: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: "dlc" (use by), "ddm" (best before) or ""
    date_kind: Mapped[str] = mapped_column(String(3), default="", server_default="")
    shelf_life_days: Mapped[int | None] = mapped_column()
    alcohol_percent: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    producer: Mapped[Enterprise] = relationship()
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.id"
    )
    labels: Mapped[list[ProductLabel]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )
    #: the photos in the producer's order; the first is the product's main photo
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="[ProductPhoto.position, ProductPhoto.id]",
    )

    @property
    def allergen_codes(self) -> list[str]:
        return [code for code in (self.allergens or "").split(",") if code]

    @allergen_codes.setter
    def allergen_codes(self, codes: list[str]) -> None:
        self.allergens = ",".join(codes)

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.name!r} producer={self.producer_id}>"


class ProductPhoto(Model):
    """One photo of a product, stored as content-addressed renditions (``products.imaging``).

    The files are ``<MEDIA_FOLDER>/photos/<key[:2]>/<key>-<width>.webp|jpg`` for each width
    of ``widths``; ``width``/``height`` are the largest rendition's (the shop reserves the space).
    """

    __tablename__ = "product_photos"
    __table_args__ = (Index("ix_product_photos_product_position", "product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(64), index=True)
    #: the widths made, ascending, comma separated ("320,480,800")
    widths: Mapped[str] = mapped_column(String(100))
    width: Mapped[int]
    height: Mapped[int]
    alt: Mapped[str] = mapped_column(String(200), default="")
    #: the URL a DFC import downloaded it from (a re-import of the same URL does not fetch again)
    source_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship(back_populates="photos")

    @property
    def width_list(self) -> list[int]:
        return [int(w) for w in self.widths.split(",") if w]

    def __repr__(self) -> str:
        return f"<ProductPhoto {self.id} product={self.product_id} {self.key}>"


class ProductLabel(Model):
    """A label or certification of a product: a DFC facet CURIE (e.g. organic AB)."""

    __tablename__ = "product_labels"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(120), primary_key=True)

    product: Mapped[Product] = relationship(back_populates="labels")


class Variant(Model):
    """The unit that is sold: "bunch", "1 kg bag", "box of 6 eggs".

    ``price_cents`` includes VAT. When ``sold_by_weight`` it is the price per kg and
    ``unit_value``/``unit`` is the estimated weight of one item; the final weight is set at packing.
    Stock: ``on_demand`` means unlimited, otherwise ``stock`` units are on hand (never negative).
    """

    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("producer_id", "sku"),
        CheckConstraint("price_cents >= 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("unit_value > 0", name="unit_value_positive"),
        Index("ix_variants_producer_active", "producer_id", "active"),
        *_search.trigram_indexes("variants", "search_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    #: the product's producer, repeated so SKU uniqueness and producer lists need no join
    producer_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    #: the name folded for search, kept by a trigger (products.search)
    search_name: Mapped[str] = mapped_column(
        Text, server_default="", server_onupdate=FetchedValue()
    )
    sku: Mapped[str] = mapped_column(String(64))
    unit: Mapped[Unit] = mapped_column(Enum(Unit, native_enum=False, length=10))
    unit_value: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    price_cents: Mapped[int]
    sold_by_weight: Mapped[bool] = mapped_column(default=False)
    on_demand: Mapped[bool] = mapped_column(default=False)
    stock: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    external_id: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship(back_populates="variants")

    @property
    def unit_kind(self) -> UnitKind:
        return UNIT_INFO[self.unit][0]

    @property
    def quantity_in_base_unit(self) -> Decimal:
        """The variant's quantity in kg, l or pieces."""
        return self.unit_value * UNIT_INFO[self.unit][1]

    def __repr__(self) -> str:
        return f"<Variant {self.id} {self.sku} {self.name!r}>"
