"""The hub back office (HTML): cycles, a cycle's orders, one order and its actions."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("backoffice", __name__)
