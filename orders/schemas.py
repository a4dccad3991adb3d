"""JSON shapes of the cart and checkout API (marshmallow 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.schemas import Integer


class CartItemIn(Schema):
    offer_id = Integer(required=True)
    quantity = Integer(required=True, validate=validate.Range(min=0, max=999))


class CartLineOut(Schema):
    offer_id = fields.Integer()
    name = fields.String()
    producer = fields.String()
    quantity = fields.Integer()
    available = fields.Integer(allow_none=True)
    unit_price_cents = fields.Integer()
    line_total_cents = fields.Integer()


class CartOut(Schema):
    cycle_id = fields.Integer()
    lines = fields.List(fields.Nested(CartLineOut))
    total_cents = fields.Integer()
    messages = fields.List(fields.String())


class CheckoutIn(Schema):
    pickup_window_id = Integer(required=True)
    pickup_slot_id = Integer(load_default=None, allow_none=True)
    payment_method = fields.String(required=True, validate=validate.OneOf(["card", "at_pickup"]))
    terms_accepted = fields.Boolean(required=True)
    idempotency_key = fields.String(required=True, validate=validate.Length(min=8, max=64))
    customer_note = fields.String(load_default="", validate=validate.Length(max=2000))


class OrderLineOut(Schema):
    product_name = fields.String()
    variant_name = fields.String()
    quantity = fields.Integer()
    unit_price_cents = fields.Integer()
    line_total_cents = fields.Integer()


class OrderOut(Schema):
    id = fields.Integer()
    number = fields.String()
    cycle_id = fields.Integer()
    status = fields.Function(lambda o: o.status.value)
    payment_method = fields.Function(lambda o: o.payment_method.value)
    payment_status = fields.Function(lambda o: o.payment_status.value)
    total_cents = fields.Integer()
    vat_cents = fields.Integer()
    currency = fields.String()
    pickup_window_id = fields.Integer()
    pickup_slot_id = fields.Integer(allow_none=True)
    hold_expires_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineOut))
