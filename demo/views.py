"""The development outbox: every e-mail the local instance queued, readable in the browser.

``/dev/outbox`` lists them newest first, ``/dev/outbox/<id>`` shows one (text, and the HTML
part in a sandboxed frame). Only on a local development instance (``core.config.is_development``,
as ``make run`` sets it): anywhere else these pages do not exist (404), for everyone, admins
included, since e-mails hold personal data and sign-in links.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template
from sqlalchemy import select

from core.config import is_development
from core.db import db
from notifications.models import OutboundEmail

bp = Blueprint("dev_outbox", __name__)

#: messages listed on the page (the newest)
OUTBOX_LIMIT = 200


@bp.before_request
def _development_only() -> None:
    if not is_development(current_app.config):
        abort(404)


@bp.get("/dev/outbox")
def index() -> str:
    messages = list(
        db.session.scalars(
            select(OutboundEmail).order_by(OutboundEmail.id.desc()).limit(OUTBOX_LIMIT)
        )
    )
    return render_template("demo/outbox.html", messages=messages)


@bp.get("/dev/outbox/<int:message_id>")
def show(message_id: int) -> str:
    message = db.get_or_404(OutboundEmail, message_id)
    return render_template("demo/outbox_message.html", message=message)


@bp.get("/dev/outbox/<int:message_id>/html")
def html(message_id: int) -> Response:
    """The HTML part alone, shown in a sandboxed frame (no scripts, no same origin)."""
    message = db.get_or_404(OutboundEmail, message_id)
    if not message.body_html:
        abort(404)
    response = Response(message.body_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    )
    return response
