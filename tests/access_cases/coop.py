"""Access rows of the cooperative's public pages: its accounts and its territorial figures."""

from __future__ import annotations

from tests.access import PUBLIC, Case

PREFIXES = ["coop"]

CASES: list[Case] = [
    Case("coop.transparency", PUBLIC),
    Case("coop.transparency", PUBLIC, params=lambda w: {"year": 2020}),
    Case("coop.territories", PUBLIC),
    Case("coop.territories", PUBLIC, params=lambda w: {"level": "commune"}),
    Case("coop.territories_csv", PUBLIC),
    Case("coop.territories_csv", PUBLIC, params=lambda w: {"level": "commune"}),
]
