"""Forms of the DFC pages (Flask-WTF: CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired


class DfcImportForm(FlaskForm):
    file = FileField(
        _l("DFC catalogue (JSON-LD file)"),
        validators=[DataRequired(_l("Choose a DFC file (.json or .jsonld)."))],
    )
    #: shown only where the platform allows downloads (``DFC_IMAGES_DOWNLOAD``)
    download_images = BooleanField(_l("Download the product photos the catalogue names"))
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Import"))


class ReceivedOrderActionForm(FlaskForm):
    """Cancel, or mark delivered, an order received from another platform (the CSRF token)."""
