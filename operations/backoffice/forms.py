"""Back-office forms (Flask-WTF: CSRF on every POST, field errors) and their parsers."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, ValidationError

from core.forms import choices
from core.money import parse_euros
from operations.backoffice.services import MAX_LINE_WEIGHT_G, MAX_NOTE, SORTS
from orders.models import OrderStatus, PaymentMethod, PaymentStatus
from orders.services import MAX_QUANTITY
from orders.states import ORDER_STATUS_LABELS, PAYMENT_METHOD_LABELS
from orders.states import PAYMENT_STATUS_LABELS as PAYMENT_STATUS_LABELS
from payments.models import PAYMENT_STATE_LABELS as PAYMENT_STATE_LABELS


def status_label(value: str) -> str:
    label = ORDER_STATUS_LABELS.get(value)  # type: ignore[call-overload]
    return str(label) if label is not None else value


# the labels live with their enums (orders.states, payments.models); these names stay for callers
METHOD_LABELS = PAYMENT_METHOD_LABELS
MANUAL_METHOD_LABELS = {
    "cash": _l("Cash"),
    "cheque": _l("Cheque"),
    "card_on_site": _l("Card terminal"),
    "transfer": _l("Bank transfer"),
}
SORT_LABELS = {
    "name": _l("Name"),
    "number": _l("Order number"),
    "placed": _l("Newest first"),
    "total": _l("Largest total"),
    "pickup": _l("Pickup time"),
}


class OrderFilterForm(FlaskForm):
    """The cycle orders page's query string (GET: no CSRF). Pickup choices are set by the view."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Status"),
        choices=choices([("", _l("All")), *((s.value, s.value) for s in OrderStatus)]),
        validators=[Optional()],
    )
    payment_status = SelectField(
        _l("Payment"),
        choices=choices(
            [("", _l("All")), *((s.value, PAYMENT_STATUS_LABELS[s]) for s in PaymentStatus)]
        ),
        validators=[Optional()],
    )
    payment_method = SelectField(
        _l("Payment method"),
        choices=choices([("", _l("All")), *((m.value, METHOD_LABELS[m]) for m in PaymentMethod)]),
        validators=[Optional()],
    )
    pickup = SelectField(_l("Pickup"), choices=choices([("", _l("All"))]), validators=[Optional()])
    collected = SelectField(
        _l("Collected"),
        choices=choices([("", _l("All")), ("yes", _l("Collected")), ("no", _l("Not collected"))]),
        validators=[Optional()],
    )
    sort = SelectField(
        _l("Sort by"),
        choices=choices((k, SORT_LABELS[k]) for k in SORT_LABELS if k in SORTS),
        default="name",
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = choices(
            [("", str(_l("All"))), *((s.value, status_label(s.value)) for s in OrderStatus)]
        )


class EditLinesForm(FlaskForm):
    """CSRF only: the per-line fields (``qty-<id>``, ``weight-<id>``, ``unit-<id>``) are parsed
    by ``parse_line_edits`` because the lines vary per order."""


_WEIGHT = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(kg|g)?\s*$", re.IGNORECASE)


def parse_weight_g(text: str, unit: str = "kg") -> int:
    """ "1,25" kg, "1.25 kg", "1250 g", "1250g" → grams. Raises ValueError on anything else.

    A unit typed in the field wins over the unit chosen beside it.
    """
    match = _WEIGHT.match(text or "")
    if not match:
        raise ValueError("not a weight")
    number = Decimal(match.group(1).replace(",", "."))
    chosen = (match.group(2) or unit or "kg").lower()
    grams = number * 1000 if chosen == "kg" else number
    grams = grams.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if grams <= 0 or grams > MAX_LINE_WEIGHT_G:
        raise ValueError("out of range")
    return int(grams)


def parse_line_edits(data, lines) -> tuple[list, dict[int, str]]:
    """The edits of every line in ``data`` (a form MultiDict), and errors by line id."""
    from operations.backoffice.services import LineEdit

    edits: list[LineEdit] = []
    errors: dict[int, str] = {}
    for line in lines:
        raw_qty = (data.get(f"qty-{line.id}") or "").strip()
        remove = data.get(f"remove-{line.id}") in ("1", "on", "y")
        try:
            quantity = 0 if remove else int(raw_qty) if raw_qty else line.quantity
        except ValueError:
            errors[line.id] = str(_l("Enter a whole number of items."))
            continue
        if quantity < 0 or quantity > MAX_QUANTITY:
            errors[line.id] = str(_l("Enter a quantity between 0 and %(max)s.", max=MAX_QUANTITY))
            continue
        weight = None
        if line.sold_by_weight:
            raw_weight = (data.get(f"weight-{line.id}") or "").strip()
            if raw_weight:
                try:
                    weight = parse_weight_g(raw_weight, data.get(f"unit-{line.id}") or "kg")
                except (ValueError, InvalidOperation):
                    errors[line.id] = str(
                        _l("Enter the weight in kg or g, for example 1,25 kg or 1250 g.")
                    )
                    continue
        edits.append(LineEdit(line_id=line.id, quantity=quantity, final_weight_g=weight))
    return edits, errors


class CancelForm(FlaskForm):
    restock = BooleanField(_l("Put the products back in stock"), default=True)
    reason = TextAreaField(
        _l("Reason (told to the customer)"), validators=[Optional(), Length(max=200)]
    )


class EurosField(StringField):
    """An amount typed in euros; its validator ``_euros`` leaves it in ``cents``."""

    cents: int = 0


def _euros(form, field: EurosField) -> None:  # noqa: ARG001
    try:
        field.cents = parse_euros(field.data or "")
    except (ValueError, InvalidOperation):
        raise ValidationError(_l("Enter an amount in euros, for example 3,50.")) from None
    if field.cents <= 0:
        raise ValidationError(_l("The amount must be more than zero."))


class RefundForm(FlaskForm):
    amount = EurosField(
        _l("Amount to refund (€)"), validators=[DataRequired(_l("Enter an amount.")), _euros]
    )
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class PaidForm(FlaskForm):
    method = SelectField(
        _l("Paid by"),
        choices=choices(MANUAL_METHOD_LABELS.items()),
        validators=[DataRequired(), AnyOf(list(MANUAL_METHOD_LABELS))],
    )

    @classmethod
    def for_hub(cls, means: list[str], **kwargs: Any) -> PaidForm:
        """The form offering the means the hub accepts at pickup (its settings), in its order."""
        form = cls(**kwargs)
        form.method.choices = choices((m, MANUAL_METHOD_LABELS[m]) for m in means)
        form.method.validators = [DataRequired(), AnyOf(list(means))]
        return form


class CollectedForm(FlaskForm):
    collected = HiddenField(validators=[AnyOf(["1", "0"])])


class NoteForm(FlaskForm):
    staff_note = TextAreaField(
        _l("Staff note (never shown to the customer)"),
        validators=[Optional(), Length(max=MAX_NOTE)],
    )
