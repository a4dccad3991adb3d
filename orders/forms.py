"""Checkout forms (Flask-WTF: CSRF, field errors)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import HiddenInput


class CheckoutForm(FlaskForm):
    """Pickup time, contact details (guests), payment method. Choices are set by the view."""

    pickup = RadioField(_l("Pickup time"), validators=[DataRequired(_l("Choose a pickup time."))])
    payment_method = RadioField(
        _l("Payment"), validators=[DataRequired(_l("Choose how you will pay."))]
    )
    guest_name = StringField(_l("Your name"), validators=[Optional(), Length(max=120)])
    guest_email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    guest_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    customer_note = TextAreaField(_l("Note for the hub"), validators=[Optional(), Length(max=2000)])


class PlaceOrderForm(FlaskForm):
    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=64)])
    #: the version of the hub's sales terms shown on the review page (hubs.terms)
    sales_terms_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    accept_terms = BooleanField(
        _l("I accept the terms of sale"),
        validators=[DataRequired(_l("Please accept the terms of sale to place your order."))],
    )


class GuestLinksForm(FlaskForm):
    """A guest asks for their order links again."""

    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(),
            Email(message=_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
