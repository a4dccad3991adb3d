"""Flask extensions, created unbound and initialised in ``create_app``."""

from __future__ import annotations

from typing import Any

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api as _Api
from flask_wtf import CSRFProtect
from marshmallow import fields

from core.errors import ErrorSchema


def _decimal_as_string(converter: Any, field: Any, **kwargs: Any) -> dict[str, Any]:
    """A ``Decimal(as_string=True)`` is written as a JSON string ("1.500"): say so (apispec
    documents every Decimal as a number)."""
    if isinstance(field, fields.Decimal) and field.as_string:
        return {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
    return {}


class Api(_Api):
    """flask-smorest, documenting the error body the handlers of core.errors really send."""

    ERROR_SCHEMA = ErrorSchema

    def _init_spec(self, *args: Any, **kwargs: Any) -> None:
        super()._init_spec(*args, **kwargs)
        self.ma_plugin.converter.add_attribute_function(_decimal_as_string)


login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
babel = Babel()
api = Api()
