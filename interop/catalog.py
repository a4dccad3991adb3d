"""A producer's DFC catalogue -> typed records the catalogue services can apply.

Rules:
- One :class:`ImportedProduct` per ``dfc-b:SuppliedProduct``, except product groups (nodes with
  ``hasVariant``: OFN's ``/product_groups/``), which only group variants.
- Its CatalogItem is found either way round (``references`` or ``referencedBy``: FDC sends only
  the latter) and its Offer through the CatalogItem's ``offeredThrough`` or ``offeredItem``.
- The pack size comes from ``hasQuantity`` converted to our units (500 mg -> 0.5 g; a bottle
  counts as a piece); any other unit is an ``unknown_unit`` error.
- ``price_cents`` is the Offer's Price value in cents, rounded once ROUND_HALF_UP, as sent
  (normally excluding VAT); a price in another currency than ``currency`` is an error.
- ``stock`` None means on demand: no ``stockLimitation`` or a negative one (FDC's "-1"); the
  CatalogItem's value wins over the Offer's. 0 means sold out.
- Problems are collected per product with the offending node's @id; blocking ones in ``errors``,
  the rest (unknown product type or label, dropped) in ``warnings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError

from interop import vocabulary
from interop.errors import DfcError
from interop.graph import Graph, Node
from interop.nodes import QuantityNode
from interop.schemas import CatalogItemSchema, PriceSchema, SuppliedProductSchema

B = "dfc-b:"
_MISSING = "Missing data for required field."
#: one instance each, reused for every node (building a schema costs more than loading a node)
_PRODUCT_SCHEMA = SuppliedProductSchema()
_PRICE_SCHEMA = PriceSchema()
_STOCK_FIELD = CatalogItemSchema().fields["stock_limitation"]


@dataclass
class ImportedProduct:
    external_id: str  #: the SuppliedProduct's @id (FDC: its last segment is the variant id)
    name: str | None = None
    description: str | None = None
    product_type: str | None = None
    labels: list[str] = field(default_factory=list)
    unit: str | None = None  #: our unit code (g, kg, ml, cl, l, piece, dozen)
    unit_value: Decimal | None = None
    price_cents: int | None = None
    price_amount: Decimal | None = None  #: the value as sent (major units)
    currency: str | None = None
    vat_rate: Decimal | None = None  #: percent (5.5)
    sku: str | None = None
    stock: int | None = None  #: None = on demand
    image: str | None = None
    catalog_item_id: str | None = None
    offer_id: str | None = None
    errors: list[DfcError] = field(default_factory=list)
    warnings: list[DfcError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _flatten(messages: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(messages, dict):
        found = []
        for key, value in messages.items():
            found.extend(_flatten(value, (*path, str(key))))
        return found
    if isinstance(messages, list):
        return [(path, str(m)) for m in messages if not isinstance(m, dict | list)] + [
            item for m in messages if isinstance(m, dict | list) for item in _flatten(m, path)
        ]
    return [(path, str(messages))]


def validation_errors(exc: ValidationError, node_id: str) -> list[DfcError]:
    """marshmallow messages (keyed by DFC names) as DfcErrors with a stable code each."""
    errors = []
    for path, message in _flatten(exc.messages):
        if path[-1:] == (B + "hasUnit",):
            code = "unknown_currency" if B + "hasPrice" in path else "unknown_unit"
        elif message == _MISSING:
            code = "missing_field"
        else:
            code = "invalid_value"
        errors.append(DfcError(code, f"{' > '.join(path)}: {message}", node_id))
    return errors


def _load(schema: Any, data: Any, node_id: str, errors: list[DfcError]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as exc:
        errors.extend(validation_errors(exc, node_id))
        return exc.valid_data if isinstance(exc.valid_data, dict) else {}


def _catalog_item(graph: Graph, product: Node) -> Node | None:
    items = [n for n in graph.linked(product, B + "referencedBy") if B + "CatalogItem" in n.types]
    return items[0] if items else None


def _offer(graph: Graph, product: Node, item: Node | None) -> Node | None:
    offers = graph.linked(item, B + "offeredThrough") if item else []
    if not offers:
        offers = [o for o in graph.by_type(B + "Offer") if product.id in o.refs(B + "offeredItem")]
    offers = [o for o in offers if B + "Offer" in o.types]
    return offers[0] if offers else None


def _stock(graph: Graph, item: Node | None, offer: Node | None, record: ImportedProduct) -> None:
    for node in (item, offer):
        if node is None or node.first(B + "stockLimitation") is None:
            continue
        try:
            stock = _STOCK_FIELD.deserialize(node.first(B + "stockLimitation"))
        except ValidationError as exc:
            wrapped = ValidationError({B + "stockLimitation": exc.messages})
            record.errors.extend(validation_errors(wrapped, node.id))
            return
        record.stock = stock if stock is not None and stock >= 0 else None
        return


def _price(graph: Graph, offer: Node | None, record: ImportedProduct, currency: str | None) -> None:
    if offer is None or offer.first(B + "hasPrice") is None:
        node_id = offer.id if offer else record.external_id
        record.errors.append(DfcError("missing_field", "no Offer with a dfc-b:hasPrice", node_id))
        return
    data = graph.node_dict(offer)[B + "hasPrice"]
    data = data[0] if isinstance(data, list) else data
    try:
        price = _PRICE_SCHEMA.load(data)
    except ValidationError as exc:
        wrapped = ValidationError({B + "hasPrice": exc.messages})
        record.errors.extend(validation_errors(wrapped, offer.id))
        return
    record.price_cents, record.vat_rate = price.cents, price.vat_rate
    record.price_amount = price.amount if price.amount is not None else Decimal(price.cents) / 100
    record.currency = price.currency
    if currency and price.currency not in (None, currency):
        message = f"price in {price.currency}, expected {currency}"
        record.errors.append(DfcError("unknown_currency", message, offer.id))


def _drop_unknown_concepts(node: Node, data: dict[str, Any], record: ImportedProduct) -> None:
    """A product type or label outside the taxonomies does not block the product: it is dropped
    from ``data`` with a warning."""
    for prop in (B + "hasType", *vocabulary.FACET_PROPERTIES.values()):
        known = [v for v in node.refs(prop) if vocabulary.concept(v) is not None]
        for value in node.refs(prop):
            if value not in known:
                message = f"{prop}: {value!r} is not a DFC concept"
                record.warnings.append(DfcError("unknown_concept", message, node.id))
        if prop in data and len(known) < len(node.refs(prop)):
            if known:
                data[prop] = [{"@id": v} for v in known]
            else:
                del data[prop]


def _product(graph: Graph, node: Node, currency: str | None) -> ImportedProduct:
    record = ImportedProduct(external_id=node.id)
    data = graph.node_dict(node)
    _drop_unknown_concepts(node, data, record)
    loaded = _load(_PRODUCT_SCHEMA, data, node.id, record.errors)
    record.name = loaded.get("name")
    record.description = loaded.get("description")
    record.product_type = loaded.get("product_type")
    record.labels = list(loaded.get("labels") or [])
    record.image = loaded.get("image")
    quantity = loaded.get("quantity")
    if isinstance(quantity, QuantityNode):  # a partly valid one comes back as a dict
        record.unit, record.unit_value = quantity.unit, quantity.value
    item = _catalog_item(graph, node)
    offer = _offer(graph, node, item)
    record.catalog_item_id = item.id if item else None
    record.offer_id = offer.id if offer else None
    if item is not None:
        sku = item.first(B + "sku")
        record.sku = str(sku) if sku not in (None, "") else None
    _stock(graph, item, offer, record)
    _price(graph, offer, record, currency)
    return record


def extract_catalog(graph: Graph, *, currency: str | None = "dfc-m:Euro") -> list[ImportedProduct]:
    """Every product of a catalogue document, in document order, each with its own errors.

    ``currency`` is the only currency accepted (None accepts any, for inspection).
    """
    return [
        _product(graph, node, currency)
        for node in graph.by_type(B + "SuppliedProduct")
        if not node.values(B + "hasVariant")
    ]
