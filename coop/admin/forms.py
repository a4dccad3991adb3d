"""Forms of the platform administration (Flask-WTF: CSRF, field errors)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from core.money import parse_euros


class CostForm(FlaskForm):
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=150)])
    amount = StringField(
        _l("Yearly amount (euros)"),
        validators=[DataRequired()],
        description=_l("VAT included, for example 1 200,00"),
    )
    year = IntegerField(
        _l("Year"),
        validators=[DataRequired(), NumberRange(min=2000, max=2100)],
    )

    def validate_amount(self, field: StringField) -> None:
        try:
            cents = parse_euros(field.data or "")
        except (ValueError, ArithmeticError) as exc:
            raise ValidationError(_l("Give an amount in euros, for example 1 200,00.")) from exc
        if cents < 0:
            raise ValidationError(_l("The amount cannot be negative."))
        self.cents = cents


class BuildStatementsForm(FlaskForm):
    month = StringField(
        _l("Month (YYYY-MM)"),
        validators=[DataRequired(), Length(min=7, max=7)],
    )


class DeleteForm(FlaskForm):
    pass
