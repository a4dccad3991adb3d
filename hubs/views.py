"""hubs pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("hubs", __name__)
