"""Marshmallow schemas for DFC 1.16 compact JSON-LD: one per class we exchange.

``dump`` takes the plain records of :mod:`interop.nodes` and writes one flat node in the wire
style of OFN and the connectors (WIRE-FORMAT §7): ``@id`` first, then ``@type``, then the
properties under their compact ``dfc-b:`` names; references as ``{"@id": url}``; Price and
QuantitativeValue nested as typed blank nodes; absent values omitted (never ``null`` or ``""``).

``load`` reads one node as the import pipeline (:mod:`interop.graph`) hands it over: flattened,
property aliases already mapped to wire names, blank nodes embedded. It returns a plain dict keyed
by the record's field names; unknown properties are excluded (``unknown=EXCLUDE``), because real
documents carry extensions (``ofn:*``) and properties we do not use.

The schemas import neither Flask nor the app: another project can reuse them as they are.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from decimal import Decimal
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_dump, post_load, pre_load

from interop import vocabulary
from interop.errors import DfcError
from interop.fields import (
    DfcConcept,
    DfcConceptList,
    DfcCountry,
    DfcDateTime,
    DfcMoney,
    DfcNumber,
    DfcRef,
    DfcRefList,
    DfcText,
    DfcUnit,
    DfcUrl,
    json_number,
    to_decimal,
)
from interop.nodes import (
    AddressNode,
    CatalogItemNode,
    EnterpriseNode,
    OfferNode,
    OrderLineNode,
    OrderNode,
    PersonNode,
    PhysicalPlaceNode,
    PickupOptionNode,
    PriceNode,
    ProductGroupNode,
    QuantityNode,
    SaleSessionNode,
    SuppliedProductNode,
)

B = "dfc-b:"


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class NodeSchema(Schema):
    """A DFC node: ``@id`` and a constant ``@type`` (``TYPE``)."""

    TYPE: ClassVar[str] = ""
    #: blank nodes (Price, QuantitativeValue) are written without @id
    BLANK: ClassVar[bool] = False

    id = fields.String(data_key="@id")

    class Meta:
        unknown = EXCLUDE
        ordered = True

    @pre_load
    def _drop_keywords(self, data: Any, **kwargs: Any) -> Any:
        # "@type" is checked by the pipeline (assembly by type); "@id" stays
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k != "@type"}
        return data

    @post_dump
    def _shape(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        node: dict[str, Any] = {}
        if not self.BLANK and data.get("@id"):
            node["@id"] = data["@id"]
        node["@type"] = self.TYPE
        for key, value in data.items():
            if key != "@id" and not _is_empty(value):
                node[key] = value
        return node

    def dump_node(self, record: Any) -> dict[str, Any]:
        """Dump a record of :mod:`interop.nodes` (or a mapping with the same fields)."""
        return self.dump(record)


class QuantitativeValueSchema(NodeSchema):
    """A pack size: ``{"dfc-b:hasUnit": "dfc-m:Gram", "dfc-b:value": 400}``.

    Dumps a :class:`~interop.nodes.QuantityNode` in our units. Loads any DFC weight, volume or
    count unit into a ``QuantityNode`` in *our* units (500 dfc-m:Milligram -> 0.5 g, a Bottle ->
    1 piece, via :func:`interop.vocabulary.from_dfc_quantity`); another unit fails validation on
    ``dfc-b:hasUnit``.
    """

    TYPE = B + "QuantitativeValue"
    BLANK = True

    unit = DfcUnit(data_key=B + "hasUnit", required=True)
    value = DfcNumber(data_key=B + "value", required=True)

    @post_load
    def _record(self, data: dict[str, Any], **kwargs: Any) -> QuantityNode:
        try:
            unit, value = vocabulary.from_dfc_quantity(data["unit"], data["value"])
        except DfcError as exc:
            raise ValidationError({B + "hasUnit": [exc.message]}) from None
        return QuantityNode(unit=unit, value=value)


class PriceSchema(NodeSchema):
    """A unit price: value in major units (cents here), a DFC currency, VAT as a percentage.

    Loads a :class:`~interop.nodes.PriceNode`; a missing currency is taken as ``dfc-m:Euro``
    only by the caller that knows it (here it stays None).
    """

    TYPE = B + "Price"
    BLANK = True

    cents = fields.Method("_dump_value", "_load_value", data_key=B + "value", required=True)
    currency = DfcConcept("dfc-m", within="dfc-m:CurrencyUnit", data_key=B + "hasUnit")
    vat_rate = DfcNumber(data_key=B + "VATrate")

    def _dump_value(self, obj: Any) -> Any:
        amount = _get(obj, "amount")
        if amount is not None:
            return json_number(amount)
        return DfcMoney().serialize("cents", obj, accessor=lambda o, k, d: _get(o, k))

    def _load_value(self, value: Any) -> tuple[int, Decimal]:
        amount = to_decimal(value)
        if amount is None:
            raise ValidationError("Missing data for required field.")
        return DfcMoney().deserialize(value), amount

    @pre_load
    def _bare_number(self, data: Any, **kwargs: Any) -> Any:
        # OFN's PUT accepts "dfc-b:hasPrice": 9.99 (WIRE-FORMAT §2.6)
        if isinstance(data, int | float | str) and not isinstance(data, bool):
            return {B + "value": data}
        return data

    @post_load
    def _record(self, data: dict[str, Any], **kwargs: Any) -> PriceNode:
        cents, amount = data["cents"]
        if amount == Decimal(cents) / 100:
            amount = None  # whole cents: ``cents`` says it all (as the record's docstring says)
        return PriceNode(
            cents=cents, currency=data.get("currency"), vat_rate=data.get("vat_rate"), amount=amount
        )


class PhoneNumberSchema(NodeSchema):
    TYPE = B + "PhoneNumber"
    BLANK = True

    number = DfcText(data_key=B + "phoneNumber")


def _phone_node(phone: str | None) -> dict[str, Any] | None:
    """A PhoneNumber blank node (OFN's shape), or None."""
    return PhoneNumberSchema().dump({"number": phone}) if phone else None


def _phone_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return DfcText().deserialize(value.get(B + "phoneNumber"))
    return DfcText().deserialize(value) if value is not None else None


class AddressSchema(NodeSchema):
    TYPE = B + "Address"

    street = DfcText(data_key=B + "hasStreet")
    postal_code = DfcText(data_key=B + "hasPostalCode")
    city = DfcText(data_key=B + "hasCity")
    country = DfcCountry(data_key=B + "hasCountry")
    region = DfcText(data_key=B + "region")
    latitude = DfcNumber(data_key=B + "latitude")
    longitude = DfcNumber(data_key=B + "longitude")


class PersonSchema(NodeSchema):
    TYPE = B + "Person"

    first_name = DfcText(data_key=B + "firstName")
    family_name = DfcText(data_key=B + "familyName")
    email = DfcText(data_key=B + "email")
    phone = fields.Method("_dump_phone", "_load_phone", data_key=B + "hasPhoneNumber")
    address_ids = DfcRefList(data_key=B + "hasAddress")
    affiliate_ids = DfcRefList(data_key=B + "affiliates")

    def _dump_phone(self, obj: Any) -> Any:
        return _phone_node(_get(obj, "phone"))

    def _load_phone(self, value: Any) -> str | None:
        return _phone_text(value)


class EnterpriseSchema(NodeSchema):
    TYPE = B + "Enterprise"

    name = DfcText(data_key=B + "name", required=True)
    description = DfcText(data_key=B + "hasDescription")
    vat_number = DfcText(data_key=B + "VATnumber")
    email = DfcText(data_key=B + "email")
    website = DfcText(data_key=B + "websitePage")
    logo = DfcRef(data_key=B + "logo")
    phone = fields.Method("_dump_phone", "_load_phone", data_key=B + "hasPhoneNumber")
    address_ids = DfcRefList(data_key=B + "hasAddress")
    main_contact_id = DfcRef(data_key=B + "hasMainContact")
    supplied_product_ids = DfcRefList(data_key=B + "supplies")
    catalog_item_ids = DfcRefList(data_key=B + "manages")

    def _dump_phone(self, obj: Any) -> Any:
        return _phone_node(_get(obj, "phone"))

    def _load_phone(self, value: Any) -> str | None:
        return _phone_text(value)


class SuppliedProductSchema(NodeSchema):
    """A product as sold (one per variant). Facets (``labels``) go under their own property each
    (``hasCertification``, ``hasClaim``, origins) on dump and are gathered back on load."""

    TYPE = B + "SuppliedProduct"

    name = DfcText(data_key=B + "name", required=True)
    description = DfcText(data_key=B + "description")
    product_type = DfcConcept("dfc-pt", data_key=B + "hasType")
    quantity = fields.Nested(QuantitativeValueSchema, data_key=B + "hasQuantity")
    image = DfcUrl(data_key=B + "image")
    catalog_item_ids = DfcRefList(data_key=B + "referencedBy")
    variant_of = DfcRef(data_key=B + "isVariantOf")
    labels = DfcConceptList("dfc-f", load_only=True, data_key="labels")
    # food information: written here, read leniently by interop.foodinfo (with warnings)
    allergens = fields.Method("_dump_allergens", data_key=B + "hasAllergenCharacteristic")
    storage = DfcText(data_key=B + "usageOrStorageCondition", dump_only=True)
    lifetime = DfcNumber(data_key=B + "lifetime", dump_only=True)
    alcohol_percent = DfcNumber(data_key=B + "alcoholPercentage", dump_only=True)

    def _dump_allergens(self, obj: Any) -> Any:
        from interop.foodinfo import allergen_nodes

        return allergen_nodes(_get(obj, "allergens") or [])

    @pre_load
    def _gather_facets(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        found: list[Any] = []
        for prop in facet_keys():
            value = data.pop(prop, None)
            if value is not None:
                found.extend(value if isinstance(value, list) else [value])
        if found:
            data["labels"] = found
        return data

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        if many:
            return [self.dump(item) for item in obj]
        node = super().dump(obj)
        for code in _get(obj, "labels") or []:
            prop = vocabulary.facet_property(code)
            if prop is not None:
                node.setdefault(prop, []).append(vocabulary.compact(code))
        return node


class ProductGroupSchema(NodeSchema):
    """A product group: a SuppliedProduct with ``hasVariant`` links (OFN's product groups)."""

    TYPE = B + "SuppliedProduct"

    name = DfcText(data_key=B + "name", required=True)
    description = DfcText(data_key=B + "description")
    product_type = DfcConcept("dfc-pt", data_key=B + "hasType")
    variant_ids = DfcRefList(data_key=B + "hasVariant")


def facet_keys() -> tuple[str, ...]:
    """The SuppliedProduct properties that carry facets (hasCertification, hasClaim...)."""
    return tuple(vocabulary.FACET_PROPERTIES.values())


class CatalogItemSchema(NodeSchema):
    TYPE = B + "CatalogItem"

    product_id = DfcRef(data_key=B + "references")
    sku = DfcText(data_key=B + "sku")
    stock_limitation = DfcNumber(integer=True, data_key=B + "stockLimitation")
    offer_ids = DfcRefList(data_key=B + "offeredThrough")
    managed_by = DfcRef(data_key=B + "managedBy")


class OfferSchema(NodeSchema):
    TYPE = B + "Offer"

    item_id = DfcRef(data_key=B + "offeredItem")
    price = fields.Nested(PriceSchema, data_key=B + "hasPrice")
    stock_limitation = DfcNumber(integer=True, data_key=B + "stockLimitation")
    customer_category_id = DfcRef(data_key=B + "offeredTo")


class SaleSessionSchema(NodeSchema):
    TYPE = B + "SaleSession"

    begin_at = DfcDateTime(data_key=B + "beginDate")
    end_at = DfcDateTime(data_key=B + "endDate")
    offer_ids = DfcRefList(data_key=B + "lists")


class PhysicalPlaceSchema(NodeSchema):
    TYPE = B + "PhysicalPlace"

    name = DfcText(data_key=B + "name")
    address_id = DfcRef(data_key=B + "hasAddress")


class PickupOptionSchema(NodeSchema):
    TYPE = B + "PickupOption"

    name = DfcText(data_key=B + "name")
    description = DfcText(data_key=B + "description")
    place_id = DfcRef(data_key=B + "pickedUpAt")
    sale_session_id = DfcRef(data_key=B + "optionOf")
    fee_cents = DfcMoney(data_key=B + "fee")


class OrderLineSchema(NodeSchema):
    TYPE = B + "OrderLine"

    quantity = DfcNumber(data_key=B + "quantity", required=True)
    offer_id = DfcRef(data_key=B + "concerns", required=True)
    unit_price = fields.Nested(PriceSchema, data_key=B + "hasPrice")
    order_id = DfcRef(data_key=B + "partOf")
    description = DfcText(data_key=B + "description")


class OrderSchema(NodeSchema):
    TYPE = B + "Order"

    number = DfcText(data_key=B + "orderNumber")
    created_at = DfcDateTime(data_key=B + "date")
    ordered_by = DfcRef(data_key=B + "orderedBy")
    sold_by = DfcRef(data_key=B + "soldBy")
    sale_session_id = DfcRef(data_key=B + "belongsTo")
    line_ids = DfcRefList(data_key=B + "hasPart")
    order_status = DfcConcept("dfc-v", within="dfc-v:OrderStatus", data_key=B + "hasOrderStatus")
    payment_status = DfcConcept(
        "dfc-v", within="dfc-v:PaymentStatus", data_key=B + "hasPaymentStatus"
    )
    fulfilment_status = DfcConcept(
        "dfc-v", within="dfc-v:FulfilmentStatus", data_key=B + "hasFulfilmentStatus"
    )
    pickup_option_id = DfcRef(data_key=B + "selects")


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


#: class CURIE -> schema class, for the pipeline and the tests
SCHEMAS: dict[str, type[NodeSchema]] = {
    schema.TYPE: schema
    for schema in (
        QuantitativeValueSchema,
        PriceSchema,
        PhoneNumberSchema,
        AddressSchema,
        PersonSchema,
        EnterpriseSchema,
        SuppliedProductSchema,
        CatalogItemSchema,
        OfferSchema,
        SaleSessionSchema,
        PhysicalPlaceSchema,
        PickupOptionSchema,
        OrderLineSchema,
        OrderSchema,
    )
}


def as_dict(record: Any) -> dict[str, Any]:
    """A record of :mod:`interop.nodes` as a dict (for tests and debugging)."""
    return asdict(record) if is_dataclass(record) and not isinstance(record, type) else dict(record)


#: record class -> schema class, for :func:`dump_node`
SCHEMA_OF_RECORD: dict[type, type[NodeSchema]] = {
    AddressNode: AddressSchema,
    PersonNode: PersonSchema,
    EnterpriseNode: EnterpriseSchema,
    SuppliedProductNode: SuppliedProductSchema,
    ProductGroupNode: ProductGroupSchema,
    CatalogItemNode: CatalogItemSchema,
    OfferNode: OfferSchema,
    SaleSessionNode: SaleSessionSchema,
    PhysicalPlaceNode: PhysicalPlaceSchema,
    PickupOptionNode: PickupOptionSchema,
    OrderLineNode: OrderLineSchema,
    OrderNode: OrderSchema,
}
_INSTANCES: dict[type, NodeSchema] = {}


def dump_node(record: Any) -> dict[str, Any]:
    """One record of :mod:`interop.nodes` as a compact DFC node (schemas built once, reused)."""
    schema = _INSTANCES.get(type(record))
    if schema is None:
        schema = _INSTANCES[type(record)] = SCHEMA_OF_RECORD[type(record)]()
    return schema.dump(record)
