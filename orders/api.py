"""Cart and checkout API (token authentication, same rules as the pages)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload

from accounts.api_auth import api_caller, api_user, token_required
from core.timeutils import utcnow
from core.views import load
from cycles.models import OrderCycle
from cycles.permissions import shop_is_public
from orders import services
from orders.models import Order
from orders.schemas import CartItemIn, CartOut, CheckoutIn, OrderOut

blp = Blueprint("orders_api", __name__, url_prefix="/api/v1", description="Cart and checkout")


def _cycle(cycle_id: int) -> OrderCycle:
    """The cycle of a cart or checkout: 404 unless citizens may see its shop (as in HTML)."""
    return load(OrderCycle, cycle_id, where=shop_is_public, options=[joinedload(OrderCycle.hub)])


def _cart_out(
    cycle: OrderCycle, messages: list[str] | None = None, items: dict[int, int] | None = None
) -> dict:
    """The cart as the API shows it (``items``: known already, e.g. just saved)."""
    if items is None:
        items = services.get_cart_items(api_caller(), cycle)
    view = services.build_cart(cycle, items)
    return {
        "cycle_id": cycle.id,
        "lines": [
            {
                "offer_id": ln.offer.id,
                "name": services.item_name(ln.variant),
                "producer": ln.producer.name,
                "quantity": ln.quantity,
                "available": ln.available,
                "unit_price_cents": ln.price.unit_price_cents,
                "line_total_cents": ln.price.line_total_cents,
            }
            for ln in view.lines
        ],
        "total_cents": view.total_cents,
        "messages": [*(messages or []), *view.notices],
    }


@blp.route("/cycles/<int:cycle_id>/cart")
class CartResource(MethodView):
    # authenticate first: an anonymous call gets 401, not a validation error
    @token_required("read")
    @blp.response(200, CartOut)
    def get(self, cycle_id: int):
        """The caller's cart for a cycle."""
        return _cart_out(_cycle(cycle_id))


@blp.route("/cycles/<int:cycle_id>/cart/items")
class CartItems(MethodView):
    # authenticate first: an anonymous call gets 401, not a validation error
    @token_required("write")
    @blp.arguments(CartItemIn)
    @blp.response(200, CartOut)
    def put(self, data: dict, cycle_id: int):
        """Set an item's quantity (0 removes it); capped to what is available, with a message."""
        cycle = _cycle(cycle_id)
        user = api_user()
        change = services.set_cart_quantity(
            cycle=cycle,
            user=user,
            offer_id=data["offer_id"],
            quantity=data["quantity"],
            now=utcnow(),
        )
        return _cart_out(cycle, [change.message] if change.message else [], change.items)


@blp.route("/cycles/<int:cycle_id>/orders")
class PlaceOrder(MethodView):
    # authenticate first: an anonymous call gets 401, not a validation error
    @token_required("write")
    @blp.arguments(CheckoutIn)
    @blp.response(201, OrderOut)
    def post(self, data: dict, cycle_id: int):
        """Place an order from the caller's cart (same idempotency key → same order).

        Card orders come back ``pending_payment``: pay with POST /api/v1/orders/<id>/payment.
        """
        cycle = _cycle(cycle_id)
        user = api_caller()
        return services.place_order(
            cycle=cycle,
            customer=user,
            items=list(services.get_cart_items(user, cycle).items()),
            pickup_window_id=data["pickup_window_id"],
            pickup_slot_id=data["pickup_slot_id"],
            payment_method=data["payment_method"],
            idempotency_key=f"api-{user.id}-{data['idempotency_key']}",
            terms_accepted=data["terms_accepted"],
            now=utcnow(),
            customer_note=data["customer_note"],
        )


@blp.route("/orders/<int:order_id>")
class OrderResource(MethodView):
    # authenticate first: an anonymous call gets 401, not a validation error
    @token_required("read")
    @blp.response(200, OrderOut)
    def get(self, order_id: int):
        """One of the caller's orders."""
        return load(Order, order_id, where=lambda order: order.customer_id == api_caller().id)


api_blueprints = [blp]
