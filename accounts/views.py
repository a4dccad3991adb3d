"""accounts pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)
