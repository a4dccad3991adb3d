"""One word for the hub's share everywhere (docs/ui.md): "part du comptoir" / "hub fee"."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def _entries() -> list[tuple[str, str]]:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    pairs = []
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(ids[0], s or "") for s in strings]
    return pairs


def test_the_hubs_share_has_one_name_in_french():
    other = re.compile(r"\b(marges?|frais) du comptoir\b|\bmarges?\b(?! ?d'erreur)", re.I)
    found = [(mid, text) for mid, text in _entries() if other.search(text)]
    assert found == []
    hub_fee = [text for mid, text in _entries() if re.search(r"\bhub fees?\b", mid, re.I)]
    assert hub_fee
    assert all(re.search(r"parts? du comptoir", t, re.I) for t in hub_fee)


def test_the_hubs_share_has_one_name_in_english():
    other = re.compile(r"\bhub(?:'s)? (margin|share)s?\b|\bmargins?\b", re.I)
    assert [mid for mid, _text in _entries() if other.search(mid)] == []
