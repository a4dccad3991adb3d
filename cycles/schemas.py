"""Order cycle API schemas. Date-times: ISO 8601; without an offset they are local time."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from core.schemas import Integer
from core.timeutils import MAX_YEAR, MIN_YEAR, app_tz, plausible_year, utcnow
from cycles.models import FeeKind


class LocalDateTime(fields.DateTime):
    """An aware datetime; a value without offset is read in APP_TIMEZONE (Europe/Paris)."""

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if not plausible_year(result):
            raise ValidationError(f"Dates must be between the years {MIN_YEAR} and {MAX_YEAR}.")
        if result.tzinfo is None:
            result = result.replace(tzinfo=app_tz())
        return result


class CycleIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    opens_at = LocalDateTime(required=True)
    closes_at = LocalDateTime(required=True)
    repeat_weekly = fields.Boolean(load_default=False)
    order_cap = Integer(load_default=None, allow_none=True)
    message = fields.String(load_default="")


class SlotOut(Schema):
    id = fields.Integer()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    capacity = fields.Integer()
    booked = fields.Integer()


class WindowOut(Schema):
    id = fields.Integer()
    distribution_point_id = fields.Integer()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    slots = fields.List(fields.Nested(SlotOut))


class CycleOut(Schema):
    id = fields.Integer()
    hub_id = fields.Integer()
    name = fields.String()
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    closed_early_at = fields.DateTime(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    published = fields.Boolean()
    repeat_weekly = fields.Boolean()
    rolled_from_id = fields.Integer(allow_none=True)
    order_cap = fields.Integer(allow_none=True)
    orders_count = fields.Integer()
    message = fields.String()
    state = fields.Function(lambda cycle: cycle.state_at(utcnow()).value)
    windows = fields.List(fields.Nested(WindowOut))


class ActionIn(Schema):
    action = fields.String(
        required=True,
        validate=validate.OneOf(["publish", "unpublish", "close", "done", "duplicate"]),
    )


class WindowIn(Schema):
    distribution_point_id = Integer(required=True)
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)


class SlotIn(Schema):
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    capacity = Integer(required=True)


class GenerateIn(Schema):
    every_minutes = Integer(required=True)
    capacity = Integer(required=True)


class CapacityIn(Schema):
    capacity = Integer(required=True)


class OfferIn(Schema):
    variant_id = Integer(required=True)
    stock_cap = Integer(load_default=None, allow_none=True)
    hub_fee_kind = fields.Enum(FeeKind, load_default=FeeKind.percent)
    #: basis points when percent (10 % = 1000), cents per item when fixed; missing or null:
    #: the hub's default margin for the producer (set on the hub's settings page)
    hub_fee_value = Integer(load_default=None, allow_none=True)


class OffersIn(Schema):
    offers = fields.List(fields.Nested(OfferIn), required=True, validate=validate.Length(min=1))


class OfferUpdateIn(Schema):
    stock_cap = Integer(load_default=None, allow_none=True)
    hub_fee_kind = fields.Enum(FeeKind, load_default=FeeKind.percent)
    hub_fee_value = Integer(load_default=0)
    active = fields.Boolean(load_default=True)


class OfferOut(Schema):
    id = fields.Integer()
    cycle_id = fields.Integer()
    variant_id = fields.Integer()
    producer_id = fields.Integer()
    stock_cap = fields.Integer(allow_none=True)
    remaining = fields.Integer(allow_none=True)
    hub_fee_kind = fields.Enum(FeeKind)
    hub_fee_value = fields.Integer()
    active = fields.Boolean()
    producer_price_cents = fields.Function(lambda o: o.variant.price_cents)
    customer_price_cents = fields.Method("_price")

    def _price(self, offer) -> int:
        from cycles.pricing import customer_price_cents

        return customer_price_cents(offer, offer.variant.price_cents)
