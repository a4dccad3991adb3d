"""marshmallow schemas of the catalogue API (shape only: the rules are in products.services)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from core.schemas import Integer
from products.models import VAT_RATES_BP, Unit

UNITS = [u.value for u in Unit]


class VariantIn(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(load_default="", validate=validate.Length(max=120))
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    unit_value = fields.Decimal(required=True, places=3, as_string=True)
    price_cents = Integer(required=True, validate=validate.Range(min=0))
    on_demand = fields.Boolean(load_default=False)
    stock = Integer(load_default=0, validate=validate.Range(min=0))
    sold_by_weight = fields.Boolean(load_default=False)
    active = fields.Boolean(load_default=True)


class VariantPatch(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String(validate=validate.Length(min=1, max=64))
    name = fields.String(validate=validate.Length(max=120))
    unit = fields.String(validate=validate.OneOf(UNITS))
    unit_value = fields.Decimal(places=3, as_string=True)
    price_cents = Integer(validate=validate.Range(min=0))
    on_demand = fields.Boolean()
    stock = Integer(validate=validate.Range(min=0))
    #: the stock the client last read: refused with 409 stock_changed if orders changed it since
    stock_seen = Integer(load_default=None, allow_none=True)
    sold_by_weight = fields.Boolean()
    active = fields.Boolean()


class ProductIn(Schema):
    class Meta:
        unknown = EXCLUDE

    producer_id = Integer(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=150))
    description = fields.String(load_default="")
    category = fields.String(load_default="", metadata={"description": "DFC product type"})
    vat_rate_bp = Integer(load_default=550, validate=validate.OneOf(VAT_RATES_BP))
    active = fields.Boolean(load_default=True)
    labels = fields.List(fields.String(), load_default=list)
    variants = fields.List(fields.Nested(VariantIn), load_default=list)


class ProductPatch(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(validate=validate.Length(min=1, max=150))
    description = fields.String()
    category = fields.String()
    vat_rate_bp = Integer(validate=validate.OneOf(VAT_RATES_BP))
    active = fields.Boolean()
    labels = fields.List(fields.String())


class ListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    producer_id = Integer(load_default=None)
    page = Integer(load_default=1, validate=validate.Range(min=1))
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=200))


class VariantOut(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    producer_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    unit_value = fields.Decimal(as_string=True)
    price_cents = fields.Integer(
        metadata={"description": "VAT included; per kg when sold by weight"}
    )
    unit_price_cents = fields.Integer()
    unit_price_per = fields.String(metadata={"description": "kg, L or piece"})
    sold_by_weight = fields.Boolean()
    on_demand = fields.Boolean()
    stock = fields.Integer()
    active = fields.Boolean()
    updated_at = fields.DateTime()


class FoodInfoOut(Schema):
    """Food information before purchase (products.foodinfo; INCO 1169/2011 art. 14)."""

    ingredients = fields.String()
    allergens = fields.List(fields.String(), metadata={"description": "codes of the 14 allergens"})
    origin = fields.String()
    origin_code = fields.String(metadata={"description": "DFC territorial facet, or empty"})
    storage = fields.String()
    date_kind = fields.String(metadata={"description": "dlc (use by), ddm (best before) or empty"})
    shelf_life_days = fields.Integer(allow_none=True)
    alcohol_percent = fields.Decimal(allow_none=True, as_string=True)


class ProductOut(Schema):
    id = fields.Integer()
    producer_id = fields.Integer()
    name = fields.String()
    description = fields.String()
    category = fields.String()
    category_label = fields.String()
    vat_rate_bp = fields.Integer()
    active = fields.Boolean()
    labels = fields.List(fields.String())
    food = fields.Nested(FoodInfoOut)
    image_url = fields.String()
    variants = fields.List(fields.Nested(VariantOut))
    updated_at = fields.DateTime()


class ProductPageOut(Schema):
    items = fields.List(fields.Nested(ProductOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
