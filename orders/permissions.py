"""Who may see and change an order (pure predicates, plus the guest's signed order link)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from enterprises.permissions import can_manage_hub
from orders.models import Order

_SALT = "order-access"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def order_access_token(order: Order) -> str:
    """A token for the order's e-mail link: a guest opens their order without an account."""
    return _serializer().dumps({"o": order.id, "e": order.customer_email})


def token_grants(order: Order, token: str | None) -> bool:
    if not token:
        return False
    try:
        data: Any = _serializer().loads(token)
    except BadSignature:
        return False
    return (
        isinstance(data, dict)
        and data.get("o") == order.id
        and bool(order.customer_email)
        and data.get("e") == order.customer_email
    )


def is_buyer(user: Any, order: Order, guest_order_ids: list[int] | tuple[int, ...] = ()) -> bool:
    """The citizen who placed the order (logged in, or the guest's browser session)."""
    if user is not None and getattr(user, "is_authenticated", False):
        if order.customer_id == user.id:
            return True
    return order.customer_id is None and order.id in guest_order_ids


def can_view_order(
    user: Any, order: Order, guest_order_ids: list[int] | tuple[int, ...] = ()
) -> bool:
    """The buyer, the hub's managers and admins."""
    if is_buyer(user, order, guest_order_ids):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return can_manage_hub(user, order.hub)
