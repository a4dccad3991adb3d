"""Form helpers shared by the domains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import SelectChoice


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """A select's or radio group's options from ``(value, label)`` pairs: wtforms 3.3 deprecates
    the pairs themselves (removed in 3.4) for ``SelectChoice``."""
    return [SelectChoice(value, label) for value, label in pairs]
