"""Who may see and change an order (pure predicates, plus the guest's signed order link)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from core.timeutils import utcnow
from enterprises.permissions import can_manage_hub
from orders.models import Order

#: the signed part of a guest's order link: the order id only (no e-mail address in the URL)
_SALT = "orders.guest-link"
#: links sent before: ``{"o": id, "e": e-mail}``, accepted until the same expiry (they are in
#: mailboxes already; the last of them stops working 30 days after the last pickup then due)
_LEGACY_SALT = "order-access"
#: a guest's link opens the order until this long after the end of its pickup window
LINK_DAYS_AFTER_PICKUP = 30


def _serializer(salt: str = _SALT) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def order_access_token(order: Order) -> str:
    """The token of the order's e-mail link: a guest opens their order without an account.

    Opaque: the order id, signed with the app's key; it reveals nothing about the buyer."""
    return _serializer().dumps(order.id)


def link_expires_at(order: Order) -> datetime:
    """When the order's link stops working: 30 days after its pickup window ends."""
    return order.pickup_window.ends_at + timedelta(days=LINK_DAYS_AFTER_PICKUP)


def token_grants(order: Order, token: str | None, now: datetime | None = None) -> bool:
    """The link's token is the order's, the order still has a buyer's address (an anonymised
    order has none), and the link has not expired."""
    if not token or not order.customer_email:
        return False
    if (now or utcnow()) > link_expires_at(order):
        return False
    try:
        data: Any = _serializer().loads(token)
    except BadSignature:
        return _legacy_token_grants(order, token)
    return isinstance(data, int) and not isinstance(data, bool) and data == order.id


def _legacy_token_grants(order: Order, token: str) -> bool:
    try:
        data: Any = _serializer(_LEGACY_SALT).loads(token)
    except BadSignature:
        return False
    return (
        isinstance(data, dict)
        and data.get("o") == order.id
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
