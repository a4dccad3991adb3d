"""Back-office test helpers: a hub with a manager, orders placed through the service."""

from __future__ import annotations

from core.timeutils import utcnow
from orders import services as order_services
from orders.models import Order, PaymentMethod
from tests.factories import MembershipFactory, UserFactory
from tests.factories_orders import Shop, make_shop


def place(
    shop: Shop,
    items: list[tuple[int, int]],
    *,
    customer=None,
    method: PaymentMethod = PaymentMethod.at_pickup,
    key: str | None = None,
    **kwargs,
) -> Order:
    """An order placed through ``orders.services.place_order`` (stock held as in real life)."""
    return order_services.place_order(
        cycle=shop.cycle,
        customer=customer if customer is not None else UserFactory(),
        items=items,
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id if shop.slot else None,
        payment_method=method,
        idempotency_key=key,
        terms_accepted=True,
        now=utcnow(),
        **kwargs,
    )


def shop_with_manager(**kwargs) -> tuple[Shop, object]:
    """``make_shop`` plus a user managing its hub."""
    shop = make_shop(**kwargs)
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=shop.hub)
    return shop, manager
