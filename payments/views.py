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
from flask_login import login_required

from core.db import db
from core.extensions import csrf
from core.headers import allows_stripe
from core.security import require
from core.views import json_on_error, load, redirect_on_error
from enterprises.models import Enterprise
from enterprises.permissions import can_manage_hub
from orders.models import OrderStatus, PaymentMethod, PaymentStatus
from orders.permissions import is_buyer
from orders.views import guest_order_ids, load_order
from payments import connect, services, stripe_api
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
        pending = services.card_payment_of(order)
        return (
            render_template(
                "payments/pending.html",
                order=order,
                message=str(exc.message),
                error=pending.last_error if pending else "",
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
@json_on_error
def confirm(order_id: int):
    """JSON, called by checkout.js with the PaymentMethod id Stripe.js created."""
    order = _buyer_order(order_id)
    data = request.get_json(silent=True) or {}
    payment_method = str(data.get("payment_method", ""))
    if not payment_method or len(payment_method) > 100:
        return jsonify(error={"code": "validation_failed", "message": _("No card given.")}), 422
    result = services.confirm_card_payment(order, payment_method)
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


# --------------------------------------------------------------------------- Stripe Connect


def _managed_hub(hub_id: int) -> Enterprise:
    from flask_login import current_user

    return load(
        Enterprise, hub_id, allow=lambda hub: hub.is_hub and can_manage_hub(current_user, hub)
    )


def _onboard(hub: Enterprise):
    url = connect.start_onboarding(
        hub,
        return_url=url_for("payments.connect_return", hub_id=hub.id, _external=True),
        refresh_url=url_for("payments.connect_refresh", hub_id=hub.id, _external=True),
    )
    return redirect(url, 303)


@bp.post("/hubs/<int:hub_id>/connect")
@login_required
@redirect_on_error("hubs.settings", status=303)
def connect_start(hub_id: int):
    """Create the hub's Stripe account if needed and send its manager to Stripe's onboarding."""
    return _onboard(_managed_hub(hub_id))


@bp.get("/hubs/<int:hub_id>/connect/refresh")
@login_required
@redirect_on_error("hubs.settings", status=303)
def connect_refresh(hub_id: int):
    """Stripe sends the manager here when the onboarding link expired: a new link."""
    return _onboard(_managed_hub(hub_id))


@bp.get("/hubs/<int:hub_id>/connect/return")
@login_required
@redirect_on_error("hubs.settings", status=303)
def connect_return(hub_id: int):
    """Back from Stripe: read the account's state and show it on the settings page."""
    hub = _managed_hub(hub_id)
    connect.refresh_account(hub)
    if hub.stripe_charges_enabled:
        flash(_("Your Stripe account takes card payments."), "success")
    else:
        flash(_("Stripe still needs details before card payments can be taken."), "warning")
    return redirect(url_for("hubs.settings", hub_id=hub.id), 303)
