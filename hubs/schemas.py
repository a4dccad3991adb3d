"""Hub API schemas (marshmallow 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.schemas import Integer


class PointIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    address = fields.String(load_default="")
    postcode = fields.String(load_default="")
    city = fields.String(load_default="")
    access_instructions = fields.String(load_default="")
    notes = fields.String(load_default="")
    latitude = fields.Decimal(load_default=None, allow_none=True, as_string=True)
    longitude = fields.Decimal(load_default=None, allow_none=True, as_string=True)
    active = fields.Boolean(load_default=True)


class PointOut(Schema):
    id = fields.Integer()
    hub_id = fields.Integer()
    name = fields.String()
    address = fields.String()
    postcode = fields.String()
    city = fields.String()
    department = fields.String()
    access_instructions = fields.String()
    notes = fields.String()
    latitude = fields.Decimal(as_string=True, allow_none=True)
    longitude = fields.Decimal(as_string=True, allow_none=True)
    active = fields.Boolean()


class LinkIn(Schema):
    producer_id = Integer(required=True)
    hub_id = Integer(required=True)
    side = fields.String(required=True, validate=validate.OneOf(["producer", "hub"]))
    message = fields.String(load_default="")


class LinkActionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["accept", "refuse", "withdraw"]))


class LinkOut(Schema):
    id = fields.Integer()
    producer_id = fields.Integer()
    hub_id = fields.Integer()
    status = fields.Function(lambda link: link.status.value)
    requested_by = fields.Function(lambda link: link.requested_by.value)
    message = fields.String()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
