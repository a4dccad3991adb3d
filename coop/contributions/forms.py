"""Forms of the contribution pages (Flask-WTF: CSRF, field errors)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from coop.contributions.services import MAX_PLEDGE_CENTS, MAX_TRANSFER_CENTS
from coop.models import Rhythm
from core.forms import choices
from core.money import parse_euros


def _cents(text: str | None) -> int:
    try:
        return parse_euros(text or "")
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError(_l("Give an amount in euros, for example 15 or 12,50.")) from exc


class PledgeForm(FlaskForm):
    amount = StringField(
        _l("Amount (euros)"),
        validators=[InputRequired()],
        description=_l("Any amount, 0 included, for example 15 or 12,50."),
    )
    rhythm = RadioField(
        _l("Rhythm"),
        choices=choices(
            [(Rhythm.monthly.value, _l("Every month")), (Rhythm.yearly.value, _l("Every year"))]
        ),
        default=Rhythm.monthly.value,
        validators=[InputRequired()],
    )

    def validate_amount(self, field: StringField) -> None:
        cents = _cents(field.data)
        if cents < 0:
            raise ValidationError(_l("The amount cannot be negative."))
        if cents > MAX_PLEDGE_CENTS:
            raise ValidationError(_l("This amount is too large: 100 000 € at most."))
        self.cents = cents


class TransferForm(FlaskForm):
    enterprise_id = SelectField(_l("Enterprise"), coerce=int, validators=[InputRequired()])
    amount = StringField(
        _l("Amount received (euros)"),
        validators=[InputRequired()],
        description=_l("For example 120,00"),
    )
    received_on = DateField(_l("Received on"), validators=[InputRequired()])
    reference = StringField(
        _l("Bank reference"), validators=[Length(max=120)], description=_l("As on the statement")
    )

    def validate_amount(self, field: StringField) -> None:
        cents = _cents(field.data)
        if cents <= 0:
            raise ValidationError(_l("A transfer must be more than 0 €."))
        if cents > MAX_TRANSFER_CENTS:
            raise ValidationError(_l("This amount is too large."))
        self.cents = cents
