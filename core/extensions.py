"""Flask extensions, created unbound and initialised in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api as _Api
from flask_wtf import CSRFProtect

from core.errors import ErrorSchema


class Api(_Api):
    """flask-smorest, documenting the error body the handlers of core.errors really send."""

    ERROR_SCHEMA = ErrorSchema


login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
babel = Babel()
api = Api()
