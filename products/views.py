"""products pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("products", __name__)
