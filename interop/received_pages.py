"""A producer's page of the orders other platforms sent it through the DFC API
(``interop.received``): who sent each (the platform, the buyer), its lines and states; the
producer cancels one (the stock comes back) or marks it delivered. Also hooks the outbound
webhooks (``interop.webhooks``) to every request."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.timeutils import utcnow
from core.views import load, redirect_on_error
from enterprises.models import Enterprise
from interop import permissions as perm
from interop import received, webhooks
from interop.forms import ReceivedOrderActionForm
from interop.models import ReceivedOrder

bp = Blueprint("received", __name__)
bp.after_app_request(webhooks.after_request)


def _producer(producer_id: int) -> Enterprise:
    return load(
        Enterprise,
        producer_id,
        where=lambda producer: producer.is_producer,
        allow=lambda producer: perm.can_manage_producer_of(current_user, producer),
    )


def _order(producer: Enterprise, order_id: int) -> ReceivedOrder:
    return load(ReceivedOrder, order_id, where=lambda order: order.producer_id == producer.id)


@bp.get("/producers/<int:producer_id>/received-orders")
@login_required
def index(producer_id: int):
    producer = _producer(producer_id)
    return render_template(
        "interop/received_orders.html",
        producer=producer,
        orders=received.orders_for_producer(producer),
        form=ReceivedOrderActionForm(),
    )


@bp.post("/producers/<int:producer_id>/received-orders/<int:order_id>/cancel")
@login_required
@redirect_on_error("interop.received.index", status=303)
def cancel(producer_id: int, order_id: int):
    producer = _producer(producer_id)
    order = _order(producer, order_id)
    if ReceivedOrderActionForm().validate_on_submit():
        received.cancel_received_order(order, now=utcnow())
        flash(_("The order is cancelled: its items are back in stock."), "success")
    return redirect(url_for("interop.received.index", producer_id=producer.id), 303)


@bp.post("/producers/<int:producer_id>/received-orders/<int:order_id>/fulfilled")
@login_required
@redirect_on_error("interop.received.index", status=303)
def fulfilled(producer_id: int, order_id: int):
    producer = _producer(producer_id)
    order = _order(producer, order_id)
    if ReceivedOrderActionForm().validate_on_submit():
        received.mark_fulfilled(order, now=utcnow())
        flash(_("The order is marked as delivered."), "success")
    return redirect(url_for("interop.received.index", producer_id=producer.id), 303)
