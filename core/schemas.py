"""marshmallow fields shared by the API schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from core.hardening import MAX_DB_INT, MIN_DB_INT


class Integer(fields.Integer):
    """An integer that fits PostgreSQL's ``integer`` columns (ids, quantities, cents): a larger
    one is a 422 field error, not an overflow in the database. The bounds are documented
    (``minimum``/``maximum``), merged with the field's own ``Range``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validators.insert(0, validate.Range(min=MIN_DB_INT, max=MAX_DB_INT))
