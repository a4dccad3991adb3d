"""Paying an order through the API: create the PaymentIntent, confirm it with a card."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from accounts.api_auth import api_caller, token_required
from core.views import load
from orders.models import Order
from payments import services

blp = Blueprint("payments_api", __name__, url_prefix="/api/v1", description="Order payments")


class PaymentOut(Schema):
    order_id = fields.Integer()
    payment_intent_id = fields.String()
    client_secret = fields.String()
    publishable_key = fields.String()
    stripe_account = fields.String()
    status = fields.String()
    amount_cents = fields.Integer()
    currency = fields.String()


class ConfirmIn(Schema):
    payment_method = fields.String(required=True, validate=validate.Length(min=3, max=100))


def _order(order_id: int) -> Order:
    return load(Order, order_id, where=lambda order: order.customer_id == api_caller().id)


def _out(order: Order, payment, status: str, secret: str) -> dict:
    return {
        "order_id": order.id,
        "payment_intent_id": payment.stripe_payment_intent_id or "",
        "client_secret": secret,
        "publishable_key": current_app.config.get("STRIPE_PUBLISHABLE_KEY", ""),
        "stripe_account": payment.stripe_account_id,
        "status": status,
        "amount_cents": payment.amount_cents,
        "currency": payment.currency,
    }


@blp.route("/orders/<int:order_id>/payment")
class OrderPayment(MethodView):
    # authenticate first: an anonymous call gets 401, not a validation error
    @token_required("write")
    @blp.response(200, PaymentOut)
    def post(self, order_id: int):
        """Create (or find again) the order's PaymentIntent; confirm it with Stripe.js/SDK or
        POST .../payment/confirm. The order becomes paid when Stripe's webhook arrives."""
        order = _order(order_id)
        payment = services.start_card_payment(order)
        intent = services.intent_status(payment)
        return _out(order, payment, intent.status, intent.client_secret)


@blp.route("/orders/<int:order_id>/payment/confirm")
class ConfirmPayment(MethodView):
    # authenticate first: an anonymous call gets 401, not a validation error
    @token_required("write")
    @blp.arguments(ConfirmIn)
    @blp.response(200, PaymentOut)
    def post(self, data: dict, order_id: int):
        """Attach a PaymentMethod and confirm; "requires_action" means 3-D Secure is needed."""
        order = _order(order_id)
        result = services.confirm_card_payment(order, data["payment_method"])
        payment = services.card_payment_of(order)
        return _out(order, payment, result.status, result.client_secret)


api_blueprints = [blp]
