"""Order cycle forms. Date-times are typed and shown in local time (APP_TIMEZONE)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CycleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    opens_at = DateTimeLocalField(
        _l("Opens on (local time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Closes on (local time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    repeat_weekly = BooleanField(_l("Repeat weekly"))
    order_cap = IntegerField(
        _l("Maximum number of orders (optional)"), validators=[Optional(), NumberRange(min=1)]
    )
    message = TextAreaField(_l("Message to customers"), validators=[Optional()])


class WindowForm(FlaskForm):
    distribution_point_id = SelectField(
        _l("Distribution point"), coerce=int, validators=[DataRequired()]
    )
    day = DateField(_l("Day"), validators=[DataRequired()])
    start = TimeField(_l("From"), validators=[DataRequired()])
    end = TimeField(_l("To"), validators=[DataRequired()])


class SlotForm(FlaskForm):
    start = TimeField(_l("From"), validators=[DataRequired()])
    end = TimeField(_l("To"), validators=[DataRequired()])
    capacity = IntegerField(
        _l("Capacity (orders)"), validators=[DataRequired(), NumberRange(min=1)], default=5
    )


class GenerateSlotsForm(FlaskForm):
    every_minutes = IntegerField(
        _l("Every (minutes)"), validators=[DataRequired(), NumberRange(min=5, max=240)], default=15
    )
    capacity = IntegerField(
        _l("Capacity per slot (orders)"),
        validators=[DataRequired(), NumberRange(min=1)],
        default=5,
    )


class SlotCapacityForm(FlaskForm):
    capacity = IntegerField(_l("Capacity"), validators=[DataRequired(), NumberRange(min=1)])
