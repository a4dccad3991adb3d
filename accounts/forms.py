"""Account forms (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from accounts.passwords import MIN_LENGTH
from core.forms import choices

LANGUAGE_CHOICES = choices([("fr", "Français"), ("en", "English")])


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _email_field(label=None) -> EmailField:
    return EmailField(
        label or _l("E-mail address"),
        filters=[_strip],
        validators=[
            DataRequired(),
            Email(message=_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )


def _new_password_field(label=None) -> PasswordField:
    return PasswordField(
        label or _l("Password"),
        validators=[
            InputRequired(),
            Length(
                min=MIN_LENGTH,
                max=200,
                message=_l("The password needs at least %(n)s characters.", n=MIN_LENGTH),
            ),
        ],
    )


class SignupForm(FlaskForm):
    full_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = _email_field()
    password = _new_password_field()
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="fr")
    #: where the visitor was going (e.g. the checkout): the confirmation link leads back there
    next = HiddenField()


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[InputRequired()])
    next = HiddenField()


class EmailOnlyForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(_l("New password"))


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = _new_password_field(_l("New password"))


class ChangeEmailForm(FlaskForm):
    """On the account page beside the password form: rendered with ``prefix="email"`` so that
    the two forms' fields have different ids."""

    new_email = _email_field(_l("New e-mail address"))
    password = PasswordField(_l("Current password"), validators=[InputRequired()])


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("What is it for? For example: “stock sync script”."),
    )
    scope = RadioField(
        _l("Access"),
        choices=choices([("read", _l("Read only")), ("write", _l("Read and write"))]),
        default="read",
        validators=[DataRequired()],
    )
    #: a session left open somewhere must not be enough to mint a token that outlives it
    password = PasswordField(_l("Current password"), validators=[InputRequired()])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[InputRequired()])
    confirm = BooleanField(
        _l("I understand that my account will be deleted for good."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class EmptyForm(FlaskForm):
    """A POST with only the CSRF token (log out, revoke)."""
