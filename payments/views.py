"""Paying a card order (Stripe.js page, confirmation endpoint, status) and the Stripe webhook."""

from __future__ import annotations

import logging

import stripe
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

from core.db import db
from core.errors import DomainError
from core.extensions import csrf
from core.headers import allows_stripe
from core.security import require
from orders.models import OrderStatus, PaymentMethod, PaymentStatus
from orders.permissions import is_buyer
from orders.views import guest_order_ids, load_order
from payments import services, stripe_api
from payments.errors import PaymentPending

log = logging.getLogger(__name__)

bp = Blueprint("payments", __name__, url_prefix="/payments")


def _buyer_order(order_id: int):
    from flask_login import current_user

    order = load_order(order_id)
    user = current_user if current_user.is_authenticated else None
    require(is_buyer(user, order, guest_order_ids()), hide=True)
    return order


def _status_payload(order) -> dict:
    return {
        "order_id": order.id,
        "number": order.number,
        "status": order.status.value,
        "payment_status": order.payment_status.value,
        "paid": order.payment_status is PaymentStatus.paid,
        "confirmation_url": url_for("orders.confirmation", order_id=order.id),
    }


@bp.get("/orders/<int:order_id>/pay")
@allows_stripe
def pay(order_id: int):
    order = _buyer_order(order_id)
    if order.payment_method is not PaymentMethod.card or order.status is not (
        OrderStatus.pending_payment
    ):
        return redirect(url_for("orders.confirmation", order_id=order.id))
    try:
        payment = services.start_card_payment(order)
        intent = services.intent_status(payment)
    except PaymentPending as exc:
        db.session.rollback()
        payment = services.card_payment_of(order)
        return (
            render_template(
                "payments/pending.html",
                order=order,
                message=str(exc.message),
                error=payment.last_error if payment else "",
            ),
            503,
        )
    if intent.status in ("succeeded", "processing"):
        return redirect(url_for("orders.confirmation", order_id=order.id))
    return render_template(
        "payments/pay.html",
        order=order,
        payment=payment,
        client_secret=intent.client_secret,
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY", ""),
        stripe_account=payment.stripe_account_id,
        stripe_js_url=stripe_api.stripe_js_url(),
        last_error=payment.last_error,
    )


@bp.post("/orders/<int:order_id>/retry")
def retry(order_id: int):
    order = _buyer_order(order_id)
    return redirect(url_for("payments.pay", order_id=order.id)), 303


@bp.post("/orders/<int:order_id>/confirm")
def confirm(order_id: int):
    """JSON, called by checkout.js with the PaymentMethod id Stripe.js created."""
    order = _buyer_order(order_id)
    data = request.get_json(silent=True) or {}
    payment_method = str(data.get("payment_method", ""))
    if not payment_method or len(payment_method) > 100:
        return jsonify(error={"code": "validation_failed", "message": _("No card given.")}), 422
    try:
        result = services.confirm_card_payment(order, payment_method)
    except DomainError as exc:
        db.session.rollback()
        return jsonify(error=exc.to_dict()), exc.status
    return jsonify(
        status=result.status,
        client_secret=result.client_secret,
        status_url=url_for("payments.status", order_id=order.id),
        confirmation_url=url_for("orders.confirmation", order_id=order.id),
    )


@bp.get("/orders/<int:order_id>/status")
def status(order_id: int):
    order = _buyer_order(order_id)
    return jsonify(_status_payload(order))


@bp.post("/stripe/webhook")
@csrf.exempt
def webhook():
    payload = request.get_data(cache=False, as_text=False)
    signature = request.headers.get("Stripe-Signature")
    try:
        event = services.construct_event(payload, signature)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        log.warning("Stripe webhook refused: %s", exc)
        return jsonify(error={"code": "bad_signature", "message": "invalid signature"}), 400
    outcome = services.handle_stripe_event(event)
    return jsonify(received=True, outcome=outcome)


@bp.get("/orders/<int:order_id>/pending")
def pending(order_id: int):
    order = _buyer_order(order_id)
    flash(_("Your payment is being confirmed."), "info")
    return redirect(url_for("orders.confirmation", order_id=order.id))
