"""coop pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("coop", __name__)
