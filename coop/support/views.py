"""Support requests: managers ask for help, platform admins answer."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.ratelimit import RateLimited, client_ip
from coop.models import SupportRequest
from coop.support import services
from coop.support.forms import AnswerForm, SupportForm
from coop.support.permissions import can_answer_support, can_ask_support
from core.db import db
from core.security import require
from core.views import domain_errors, load
from enterprises.models import Enterprise

bp = Blueprint("support", __name__)


@bp.route("/enterprises/<int:enterprise_id>/support", methods=["GET", "POST"])
@login_required
def index(enterprise_id: int):
    enterprise = load(Enterprise, enterprise_id, allow=lambda e: can_ask_support(current_user, e))
    form = SupportForm()
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST":
        if form.validate():
            with domain_errors(form, field="subject") as attempt:
                services.open_request(
                    enterprise,
                    author=current_user,
                    subject=form.subject.data or "",
                    body=form.body.data or "",
                    ip=client_ip(),
                )
            status = 422
            if attempt.error is not None:
                status = attempt.error.status  # 429 when rate-limited: the message stays
                if isinstance(attempt.error, RateLimited):
                    headers["Retry-After"] = str(attempt.error.retry_after_seconds)
            else:
                flash(
                    _("Your request is sent. The cooperative will answer you by e-mail."),
                    "success",
                )
                return redirect(url_for("support.index", enterprise_id=enterprise.id), 303)
        else:
            status = 422
    return (
        render_template(
            "coop/support/index.html",
            enterprise=enterprise,
            form=form,
            requests=services.requests_of(enterprise.id),
        ),
        status,
        headers,
    )


@bp.get("/admin/support")
@login_required
def admin_list():
    require(can_answer_support(current_user))
    status = request.args.get("status") or None
    return render_template(
        "coop/support/admin_list.html", rows=services.all_requests(status), status=status
    )


@bp.route("/admin/support/<int:request_id>", methods=["GET", "POST"])
@login_required
def answer(request_id: int):
    require(can_answer_support(current_user))
    support_request = load(SupportRequest, request_id)
    form = AnswerForm()
    if request.method == "GET":
        form.answer.data = support_request.answer or ""
    status = 200
    if request.method == "POST":
        if form.validate():
            with domain_errors(form, field="answer") as attempt:
                services.answer_request(
                    support_request, answer=form.answer.data or "", actor=current_user
                )
            status = 422
            if attempt.ok:
                flash(_("Answer sent to the author by e-mail."), "success")
                return redirect(url_for("support.admin_list"), 303)
        else:
            status = 422
    enterprise = db.session.get(Enterprise, support_request.enterprise_id)
    return (
        render_template(
            "coop/support/answer.html",
            form=form,
            support_request=support_request,
            enterprise=enterprise,
            author=services.author_of(support_request),
        ),
        status,
    )
