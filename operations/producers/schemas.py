"""The producer area's query-string filters."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from core.schemas import Integer
from cycles.models import CycleState
from operations.producers.services import STATE_FILTERS


class FiltersIn(Schema):
    """``?hub=&state=&since=&until=&page=&cycle_id=`` (empty values mean "any")."""

    class Meta:
        unknown = EXCLUDE

    hub = Integer(load_default=None, validate=validate.Range(min=1))
    state = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in STATE_FILTERS])
    )
    since = fields.Date(load_default=None)
    until = fields.Date(load_default=None)
    page = Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    cycle_id = Integer(load_default=None, validate=validate.Range(min=1))


def clean_args(args) -> dict:
    """The query string without empty values (an empty select means "any")."""
    return {key: value for key, value in args.items() if value != ""}


def state_of(value: str | None) -> CycleState | None:
    return CycleState(value) if value else None
