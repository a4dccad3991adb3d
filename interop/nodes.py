"""Plain typed records that the DFC schemas dump (and that loading gives back as dicts).

They are the contract with the rest of the app: a service builds them from the models (this
package never imports the models), then :func:`interop.documents.build_document` writes them.

Conventions:
- ``id`` is the node's absolute, dereferenceable IRI (``url_for(..., _external=True)``); every
  ``*_id``/``*_ids`` field holds the IRI of another node. Price and QuantitativeValue are blank
  nodes (nested, no id).
- Codes are compact CURIEs: ``product_type`` "dfc-pt:tomato", ``labels`` "dfc-f:Organic-AB",
  statuses "dfc-v:Held", ``currency`` "dfc-m:Euro"; units are *our* codes (``g kg ml cl l piece
  dozen``), mapped to ``dfc-m:`` by the schema.
- Money is integer cents; instants are aware UTC datetimes; ``None`` or an empty list means
  "not sent".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from interop.vocabulary import HELD


@dataclass(kw_only=True)
class QuantityNode:
    """A ``dfc-b:QuantitativeValue``: the pack size of a product (``400 g``), in our units."""

    value: Decimal
    unit: str  #: one of interop.vocabulary.UNIT_CODES


@dataclass(kw_only=True)
class PriceNode:
    """A ``dfc-b:Price``: a **unit** price in cents, the shelf price **VAT included** (as OFN
    writes and reads it; docs/dfc.md "Prices"), ``vat_rate`` the percentage (5.5) it includes.
    """

    cents: int
    currency: str | None = "dfc-m:Euro"  #: None when a sender gave no unit
    vat_rate: Decimal | None = None
    #: the exact amount in major units when it has more than two decimals (a sold-by-weight
    #: item: price per kg × estimated weight, ``5.805``); on load, the value as sent.
    #: ``cents`` is it rounded.
    amount: Decimal | None = None


@dataclass(kw_only=True)
class AddressNode:
    id: str
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    #: ISO 3166 alpha-3 ("FRA"); written as the EU authority IRI required by DFC 1.16
    country: str | None = None
    region: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(kw_only=True)
class PersonNode:
    """A person: a customer (``Order.orderedBy``) or an enterprise's main contact."""

    id: str
    first_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    phone: str | None = None
    address_ids: list[str] = field(default_factory=list)
    #: enterprises the person belongs to (``dfc-b:affiliates``)
    affiliate_ids: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class EnterpriseNode:
    """A producer or a hub (``dfc-b:Enterprise``; ``Organization`` in DFC v2)."""

    id: str
    name: str
    description: str | None = None
    vat_number: str | None = None
    email: str | None = None
    website: str | None = None
    logo: str | None = None
    phone: str | None = None
    address_ids: list[str] = field(default_factory=list)
    main_contact_id: str | None = None
    supplied_product_ids: list[str] = field(default_factory=list)
    catalog_item_ids: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class SuppliedProductNode:
    """What a producer sells, one per variant (OFN: one per variant too)."""

    id: str
    name: str
    quantity: QuantityNode  #: required by OFN's importer
    description: str | None = None
    product_type: str | None = None
    #: dfc-f facets; each goes to hasCertification, hasClaim or an origin property by its tree
    labels: list[str] = field(default_factory=list)
    image: str | None = None
    catalog_item_ids: list[str] = field(default_factory=list)
    #: the product group this variant belongs to (``dfc-b:isVariantOf``)
    variant_of: str | None = None
    # food information (interop.foodinfo): dfc-m allergen concepts, storage text, shelf life in
    # days, alcohol percent by volume
    allergens: list[str] = field(default_factory=list)
    storage: str | None = None
    lifetime: int | None = None
    alcohol_percent: Decimal | None = None


@dataclass(kw_only=True)
class ProductGroupNode:
    """A product with several variants (OFN's ``/product_groups/``): a SuppliedProduct that
    names the group and lists its variants (``dfc-b:hasVariant``); no CatalogItem, no Offer."""

    id: str
    name: str
    description: str | None = None
    product_type: str | None = None
    variant_ids: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class CatalogItemNode:
    """A product as listed in a catalogue: SKU and stock, linked to its offers."""

    id: str
    product_id: str
    sku: str | None = None
    #: units in stock; None = on demand (unlimited): the key is then omitted, as OFN does
    stock_limitation: int | None = None
    offer_ids: list[str] = field(default_factory=list)
    managed_by: str | None = None


@dataclass(kw_only=True)
class OfferNode:
    """A price for a product; ``item_id`` is the SuppliedProduct (``dfc-b:offeredItem``)."""

    id: str
    item_id: str
    price: PriceNode
    stock_limitation: int | None = None
    #: a price list (``dfc-b:offeredTo``), when a hub has several
    customer_category_id: str | None = None


@dataclass(kw_only=True)
class SaleSessionNode:
    """An order cycle or a market day."""

    id: str
    begin_at: datetime | None = None
    end_at: datetime | None = None
    offer_ids: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class PhysicalPlaceNode:
    """A place where goods are picked up (a hub's pickup point)."""

    id: str
    name: str | None = None
    address_id: str | None = None


@dataclass(kw_only=True)
class PickupOptionNode:
    """``dfc-b:PickupOption``: how an order is collected, at ``place_id``."""

    id: str
    name: str | None = None
    description: str | None = None
    place_id: str | None = None
    sale_session_id: str | None = None
    fee_cents: int | None = None


@dataclass(kw_only=True)
class OrderLineNode:
    """One line: ``quantity`` counts the Offer's units (packs), never kilograms."""

    id: str
    quantity: Decimal
    offer_id: str
    unit_price: PriceNode | None = None
    order_id: str | None = None
    description: str | None = None


@dataclass(kw_only=True)
class OrderNode:
    """An order. For the FDC producer app: one SaleSession and ``line_ids`` matching the lines."""

    id: str
    line_ids: list[str] = field(default_factory=list)
    number: str | None = None
    created_at: datetime | None = None
    ordered_by: str | None = None  #: a Person or an Enterprise (a hub ordering from a producer)
    sold_by: str | None = None
    sale_session_id: str | None = None
    order_status: str = HELD
    payment_status: str | None = None
    fulfilment_status: str | None = None
    pickup_option_id: str | None = None


Node = (
    AddressNode
    | PersonNode
    | EnterpriseNode
    | SuppliedProductNode
    | ProductGroupNode
    | CatalogItemNode
    | OfferNode
    | SaleSessionNode
    | PhysicalPlaceNode
    | PickupOptionNode
    | OrderLineNode
    | OrderNode
)
