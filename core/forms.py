"""Form helpers shared by the domains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import wtforms
from flask_wtf import FlaskForm
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in wtforms 3.3; types-wtforms is 3.2


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """A select's or radio group's options from ``(value, label)`` pairs: wtforms 3.3 deprecates
    the pairs themselves (removed in 3.4) for ``SelectChoice``."""
    return [SelectChoice(value, label) for value, label in pairs]


class SubForm(wtforms.Form):
    """A form nested in a ``FlaskForm`` through ``FormField``: wtforms builds it with its own
    ``Meta``, not its page's, so a plain ``wtforms.Form`` would say "This field is required." on
    a French page. This one takes Flask-WTF's (wtforms' own translations in the reader's
    language, ``WTF_I18N_ENABLED``) without a CSRF token of its own: the page's form has one.
    Only for ``FormField``: never a base of a ``FlaskForm`` (it would lose its CSRF token)."""

    class Meta(FlaskForm.Meta):
        csrf = False


T = TypeVar("T")


def filled(data: T | None) -> T:
    """A required field's data once its form has validated (``DataRequired``/``InputRequired``):
    never None, and typed so. A None here means the field lost its validator: a bug."""
    if data is None:
        raise ValueError("a required form field has no data: is its validator missing?")
    return data
