"""Hub forms (Flask-WTF, CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import choices
from core.money import parse_euros


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


class HubRequestForm(FlaskForm):
    """Ask for a hub where there is none (hubs.services.request_hub checks it again)."""

    place = StringField(
        _l("Where (town or postcode)"),
        validators=[DataRequired(), Length(max=120)],
    )
    #: the searched postcode, when the form comes from "hubs near me" (places the request; a
    #: value that is not a known postcode is ignored by the service)
    postcode = HiddenField(validators=[Optional(), Length(max=10)])
    email = EmailField(
        _l("Your e-mail (optional)"),
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("Only to tell you when a hub opens near you."),
    )
    message = TextAreaField(
        _l("Message (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l("What would you like to buy, where could people collect their orders?"),
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def parse_hundredths(text: str) -> int | None:
    """ "7,5" -> 750 (a percent in basis points, or euros in cents); "" -> None.

    Raises ValueError for anything else (more than two decimals, not a number, negative).
    """
    if not (text or "").strip():
        return None
    value = parse_euros(text.replace("%", ""))
    if value < 0:
        raise ValueError("negative")
    return value


class HundredthsField(StringField):
    """A percent (or euros) typed with a comma or a dot; leaves it in ``hundredths``."""

    hundredths: int | None = None


def _hundredths(form: Form, field: HundredthsField) -> None:
    try:
        field.hundredths = parse_hundredths(field.data or "")
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError(_l("Enter a number, e.g. 12,5.")) from exc


MANUAL_MEANS_LABELS = {
    "cash": _l("Cash"),
    "cheque": _l("Cheque"),
    "card_on_site": _l("Card on site"),
    "transfer": _l("Bank transfer"),
}


class HubSettingsForm(FlaskForm):
    accepts_card = BooleanField(_l("Card payment online (through Stripe)"))
    accepts_at_pickup = BooleanField(_l("Payment at pickup"))
    manual_means = MultiCheckboxField(
        _l("Means accepted at pickup"),
        choices=choices(MANUAL_MEANS_LABELS.items()),
    )
    allows_order_changes = BooleanField(_l("Buyers may change their order until the cycle closes"))
    default_margin = HundredthsField(_l("Default hub fee (%)"), validators=[_hundredths])
    min_order = HundredthsField(_l("Minimum order (€)"), validators=[_hundredths])
    contact_email = EmailField(
        _l("Contact e-mail shown to buyers"),
        validators=[
            Optional(),
            Email(message=_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    phone = StringField(_l("Phone shown to buyers"), validators=[Optional(), Length(max=40)])
