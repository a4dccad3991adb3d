"""A hub's sales terms: the public text (current and any version) and the managers' edit page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.db import db
from core.errors import DomainError
from core.security import require
from enterprises.models import Enterprise
from hubs.permissions import can_manage_hub, can_view_hub
from hubs.terms import services
from hubs.terms.forms import TermsForm

bp = Blueprint("hub_terms", __name__)


def _visible_hub(hub_id: int) -> Enterprise:
    hub = db.get_or_404(Enterprise, hub_id)
    require(can_view_hub(current_user, hub), hide=True)
    return hub


@bp.get("/hubs/<int:hub_id>/terms")
def public(hub_id: int):
    hub = _visible_hub(hub_id)
    terms = services.ensure_current_terms(hub)
    return render_template("hubs/terms/show.html", hub=hub, terms=terms, current=True)


@bp.get("/hubs/<int:hub_id>/terms/v<int:version>")
def version(hub_id: int, version: int):
    hub = _visible_hub(hub_id)
    terms = services.get_version(hub.id, version)
    if terms is None:
        abort(404)
    latest = services.latest(hub.id)
    return render_template(
        "hubs/terms/show.html",
        hub=hub,
        terms=terms,
        current=latest is not None and latest.id == terms.id,
    )


@bp.route("/hubs/<int:hub_id>/manage/terms", methods=["GET", "POST"])
@login_required
def edit(hub_id: int):
    hub = db.get_or_404(Enterprise, hub_id)
    require(can_manage_hub(current_user, hub))
    if request.method == "GET":
        form = TermsForm(body=services.ensure_current_terms(hub).body)
    else:
        form = TermsForm()
        if form.validate_on_submit():
            try:
                if request.form.get("action") == "template":
                    saved = services.restore_template(hub, actor_id=current_user.id)
                else:
                    saved = services.save_terms(hub, body=form.body.data, actor_id=current_user.id)
            except DomainError as exc:
                db.session.rollback()
                messages = exc.fields.get("body") or [str(exc.message)]
                form.body.errors = [
                    *(form.body.errors or []),
                    *([messages] if isinstance(messages, str) else messages),
                ]
            else:
                flash(
                    _("Sales terms saved as version %(version)s.", version=saved.version), "success"
                )
                return redirect(url_for("hub_terms.edit", hub_id=hub.id)), 303
    history = services.versions(hub.id)
    latest = history[0] if history else None
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "hubs/terms/edit.html",
            hub=hub,
            form=form,
            history=history,
            current=latest,
            missing=services.missing_values(latest) if latest else 0,
        ),
        status,
    )
