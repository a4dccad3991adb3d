"""Enterprise forms (Flask-WTF, CSRF-protected). Rules live in enterprises.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from core.forms import choices

HUB_KIND_CHOICES = choices(
    [
        ("tiers_lieu", _l("Third place (tiers-lieu)")),
        ("shop", _l("Shop")),
        ("farm", _l("Farm")),
        ("cafe", _l("Café or restaurant")),
        ("association", _l("Association")),
        ("other", _l("Other")),
    ]
)


class EnterpriseForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    is_producer = BooleanField(_l("Producer: I sell what I produce"))
    is_hub = BooleanField(_l("Hub: I run order cycles and pickups for producers"))
    hub_kind = SelectField(_l("Kind of hub"), choices=HUB_KIND_CHOICES, default="other")
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("Town"), validators=[Optional(), Length(max=120)])
    latitude = StringField(_l("Latitude"), validators=[Optional()])
    longitude = StringField(_l("Longitude"), validators=[Optional()])
    contact_email = EmailField(
        _l("Contact e-mail"),
        validators=[Optional(), Email(message=_l("Enter a valid e-mail address."))],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    siret = StringField(_l("SIRET number"), validators=[Optional(), Length(max=20)])
    vat_number = StringField(_l("VAT number"), validators=[Optional(), Length(max=20)])
    logo = FileField(_l("Logo"))
    remove_logo = BooleanField(_l("Remove the logo"))
    is_active = BooleanField(_l("Visible on the site"), default=True)


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of the person to invite"),
        validators=[
            DataRequired(),
            Email(message=_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"), choices=choices([("owner", _l("Owner")), ("manager", _l("Manager"))])
    )


class EmptyForm(FlaskForm):
    """A POST with only the CSRF token."""
