"""Forms of the support pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from coop.support.services import BODY_MAX, SUBJECT_MAX


class SupportForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=SUBJECT_MAX)])
    body = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(), Length(max=BODY_MAX)],
        description=_l("What happened, on which page, and what you expected."),
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=BODY_MAX)])
