"""Import every domain's models so the metadata (Alembic, mappers) sees all tables."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "accounts.models",
    "enterprises.models",
    "enterprises.geo",
    "products.models",
    "hubs.models",
    "hubs.terms.models",
    "cycles.models",
    "orders.models",
    "payments.models",
    "notifications.models",
    "coop.models",
    "interop.models",
)


def import_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
