"""Form helpers shared by the domains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, SelectChoice


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """A select's or radio group's options from ``(value, label)`` pairs: wtforms 3.3 deprecates
    the pairs themselves (removed in 3.4) for ``SelectChoice``."""
    return [SelectChoice(value, label) for value, label in pairs]


class SubForm(Form):
    """A form nested in a ``FlaskForm`` through ``FormField``: wtforms builds it with its own
    ``Meta``, not its page's, so a plain ``wtforms.Form`` would say "This field is required." on
    a French page. This one takes Flask-WTF's (wtforms' own translations in the reader's
    language, ``WTF_I18N_ENABLED``) without a CSRF token of its own: the page's form has one.
    Only for ``FormField``: never a base of a ``FlaskForm`` (it would lose its CSRF token)."""

    class Meta(FlaskForm.Meta):
        csrf = False
