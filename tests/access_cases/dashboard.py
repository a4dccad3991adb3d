"""Access rows of the hub sales dashboard (hub A)."""

from __future__ import annotations

from tests.access import MANAGERS_OF_A, Case

PREFIXES = ["hub_dashboard"]

CASES: list[Case] = [
    Case("hub_dashboard.index", MANAGERS_OF_A, params=lambda w: {"hub_id": w.a.id}),
]
