"""cycles pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cycles", __name__)
