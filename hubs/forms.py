"""Hub forms (Flask-WTF, CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class PointForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    postcode = StringField(
        _l("Postcode"),
        validators=[
            Optional(),
            Regexp(r"^\d{5}$", message=_l("A French postcode has five digits.")),
        ],
    )
    city = StringField(_l("Town"), validators=[Optional(), Length(max=120)])
    access_instructions = TextAreaField(_l("Access instructions"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional()])
    latitude = StringField(_l("Latitude"), validators=[Optional()])
    longitude = StringField(_l("Longitude"), validators=[Optional()])
    active = BooleanField(_l("Active (can be chosen for pickup windows)"), default=True)


class LinkRequestForm(FlaskForm):
    other_id = SelectField(_l("Enterprise"), coerce=int, validators=[DataRequired()])
    message = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=2000)])


class NearForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    postcode = StringField(_l("Postcode"), validators=[Optional()])
