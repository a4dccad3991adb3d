"""The hub's sales-terms form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired


class TermsForm(FlaskForm):
    body = TextAreaField(_l("Sales terms (plain text)"), validators=[DataRequired()])
