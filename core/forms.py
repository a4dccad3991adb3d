"""Form helpers shared by the domains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in wtforms 3.3; types-wtforms is 3.2


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """A select's or radio group's options from ``(value, label)`` pairs: wtforms 3.3 deprecates
    the pairs themselves (removed in 3.4) for ``SelectChoice``."""
    return [SelectChoice(value, label) for value, label in pairs]


T = TypeVar("T")


def filled(data: T | None) -> T:
    """A required field's data once its form has validated (``DataRequired``/``InputRequired``):
    never None, and typed so. A None here means the field lost its validator: a bug."""
    if data is None:
        raise ValueError("a required form field has no data: is its validator missing?")
    return data
