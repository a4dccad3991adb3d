"""Contribution pages: an enterprise's free contribution (choose, pay by card), admin overview."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from coop.contributions import services
from coop.contributions.forms import PledgeForm, TransferForm
from coop.contributions.permissions import can_administer_contributions, can_manage_contribution
from coop.models import ContributionPayment, Rhythm
from core import csvexport
from core.db import db
from core.errors import DomainError
from core.forms import choices, filled
from core.headers import allows_stripe
from core.i18n import cents
from core.money import cents_to_decimal
from core.security import require
from core.timeutils import local_date, utcnow
from core.views import json_on_error, load
from enterprises.models import Enterprise

bp = Blueprint("contributions", __name__)


def _enterprise(enterprise_id: int) -> Enterprise:
    return load(Enterprise, enterprise_id, allow=lambda e: can_manage_contribution(current_user, e))


def _payment(enterprise: Enterprise, payment_id: int) -> ContributionPayment:
    return load(ContributionPayment, payment_id, where=lambda p: p.enterprise_id == enterprise.id)


def _render_edit(enterprise: Enterprise, form: PledgeForm, status: int = 200):
    from payments import stripe_api

    pledge = services.current_pledge(enterprise.id)
    shown = None
    shown_id = request.args.get("payment", type=int)
    if shown_id:
        shown = db.session.get(ContributionPayment, shown_id)
        if shown is not None and shown.enterprise_id != enterprise.id:
            shown = None
    return (
        render_template(
            "coop/contributions/edit.html",
            enterprise=enterprise,
            form=form,
            pledge=pledge,
            history=services.pledge_history(enterprise.id),
            payments=services.payments_of(enterprise.id),
            suggestion=services.suggestion(),
            shown_payment=shown,
            card_payments=stripe_api.is_configured(),
            transfer=services.transfer_details(enterprise),
        ),
        status,
    )


@bp.route("/enterprises/<int:enterprise_id>/contribution", methods=["GET", "POST"])
@login_required
def edit(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    form = PledgeForm()
    if request.method == "GET":
        pledge = services.current_pledge(enterprise.id)
        if pledge is not None:
            form.rhythm.data = pledge.rhythm.value
            form.amount.data = str(cents_to_decimal(pledge.amount_cents)).replace(".", ",")
        return _render_edit(enterprise, form)
    if not form.validate():
        return _render_edit(enterprise, form, 422)
    pledge = services.choose_pledge(
        enterprise, amount_cents=form.cents, rhythm=form.rhythm.data, actor=current_user
    )
    if pledge.amount_cents == 0:
        flash(
            _(
                "Your choice is recorded: no contribution for now. That is fine: Comptoir stays "
                "fully open to you, and you can change your mind at any time."
            ),
            "success",
        )
    elif pledge.rhythm is Rhythm.monthly:
        flash(
            _(
                "Thank you! Your contribution of %(amount)s per month is recorded.",
                amount=cents(pledge.amount_cents),
            ),
            "success",
        )
    else:
        flash(
            _(
                "Thank you! Your contribution of %(amount)s per year is recorded.",
                amount=cents(pledge.amount_cents),
            ),
            "success",
        )
    return redirect(url_for("contributions.edit", enterprise_id=enterprise.id), 303)


@bp.get("/enterprises/<int:enterprise_id>/contribution/pay")
@login_required
@allows_stripe
def pay(enterprise_id: int):
    from payments import stripe_api

    enterprise = _enterprise(enterprise_id)
    try:
        started = services.start_card_contribution(enterprise, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error" if exc.status >= 500 else "info")
        return redirect(url_for("contributions.edit", enterprise_id=enterprise.id))
    payment = started.payment
    if started.status in ("succeeded", "processing"):
        return redirect(
            url_for("contributions.edit", enterprise_id=enterprise.id, payment=payment.id)
        )
    return render_template(
        "coop/contributions/pay.html",
        enterprise=enterprise,
        payment=payment,
        client_secret=started.client_secret,
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY", ""),
        stripe_js_url=stripe_api.stripe_js_url(),
    )


@bp.post("/enterprises/<int:enterprise_id>/contribution/payments/<int:payment_id>/confirm")
@login_required
@json_on_error
def confirm(enterprise_id: int, payment_id: int):
    """JSON, called by checkout.js with the PaymentMethod id Stripe.js created."""
    enterprise = _enterprise(enterprise_id)
    payment = _payment(enterprise, payment_id)
    data = request.get_json(silent=True) or {}
    payment_method = str(data.get("payment_method", ""))
    if not payment_method or len(payment_method) > 100:
        return jsonify(error={"code": "validation_failed", "message": _("No card given.")}), 422
    result = services.confirm_card_contribution(payment, payment_method)
    return jsonify(status=result.status, client_secret=result.client_secret)


@bp.get("/enterprises/<int:enterprise_id>/contribution/payments/<int:payment_id>/status")
@login_required
def status(enterprise_id: int, payment_id: int):
    enterprise = _enterprise(enterprise_id)
    payment = _payment(enterprise, payment_id)
    # checkout.js waits while the status is "pending_payment"
    return jsonify(
        paid=payment.status == "paid",
        status="pending_payment" if payment.status == "pending" else payment.status,
    )


# --------------------------------------------------------------------------- platform admins


def _admin() -> None:
    require(can_administer_contributions(current_user))


@bp.get("/admin/contributions")
@login_required
def admin_list():
    _admin()
    return render_template(
        "coop/contributions/admin_list.html",
        rows=services.contributors(),
        year=local_date(utcnow()).year,
    )


@bp.get("/admin/contributions.csv")
@login_required
def admin_csv():
    _admin()
    body = services.contributors_csv(services.contributors())
    return csvexport.download(body, f"contributions-{local_date(utcnow()):%Y-%m-%d}.csv")


@bp.route("/admin/contributions/transfer", methods=["GET", "POST"])
@login_required
def record_transfer():
    _admin()
    form = TransferForm()
    form.enterprise_id.choices = choices(
        (e.id, e.name) for e in db.session.scalars(select(Enterprise).order_by(Enterprise.name))
    )
    if request.method == "GET":
        form.enterprise_id.data = request.args.get("enterprise", type=int)
        form.received_on.data = local_date(utcnow())
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 422
        return render_template("coop/contributions/transfer.html", form=form), status
    enterprise = db.get_or_404(Enterprise, form.enterprise_id.data)
    payment = services.record_transfer(
        enterprise,
        amount_cents=form.cents,
        received_on=filled(form.received_on.data),
        reference=form.reference.data or "",
        actor=current_user,
    )
    flash(
        _(
            "Transfer of %(amount)s from %(name)s recorded.",
            amount=cents(payment.amount_cents),
            name=enterprise.name,
        ),
        "success",
    )
    return redirect(url_for("contributions.admin_list"), 303)
