"""A guest's order links, sent again: the guest enters their e-mail address and receives the
links of their orders that still work (``orders.permissions.link_expires_at``).

The answer never tells whether the address has orders: the page is the same either way, and an
address without any gets no e-mail. Rate-limited per address and per e-mail.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from accounts import ratelimit
from accounts.models import User
from accounts.signals import email_proven
from core.db import db
from core.timeutils import utcnow
from cycles.models import PickupWindow
from notifications.services import queue_email
from orders.models import Order, OrderStatus
from orders.permissions import LINK_DAYS_AFTER_PICKUP


def send_guest_links(email: str, *, locale: str = "fr", ip: str | None = None) -> int:
    """E-mail the links of the guest orders placed with ``email`` whose link still works (one
    message, at most one every ten minutes). Returns the number of orders (for tests and logs,
    never for the page). Raises RateLimited."""
    from orders.services import order_link

    email = (email or "").strip().lower()
    ratelimit.consume("guest_order_links", ip=ip, email=email)
    now = utcnow()
    orders = list(
        db.session.scalars(
            select(Order)
            .join(PickupWindow, PickupWindow.id == Order.pickup_window_id)
            .where(
                Order.customer_id.is_(None),
                Order.customer_email == email,
                Order.status != OrderStatus.pending_payment,
                PickupWindow.ends_at > now - timedelta(days=LINK_DAYS_AFTER_PICKUP),
            )
            .options(joinedload(Order.hub), joinedload(Order.pickup_window))
            .order_by(PickupWindow.starts_at, Order.id)
        ).unique()
    )
    if orders:
        bucket = int(now.timestamp() // 600)
        queue_email(
            to=email,
            template="emails/orders/guest_links",
            locale=locale if locale in ("fr", "en") else "fr",
            kind="guest_order_links",
            dedupe_key=f"guest-links:{bucket}:{email}"[:120],
            orders=[(order, order_link(order)) for order in orders],
            days=LINK_DAYS_AFTER_PICKUP,
        )
    db.session.commit()
    return len(orders)


def claim_guest_orders(user: User) -> int:
    """Attach the orders placed as a guest with the user's address to the account (they then
    show in "My orders"); flush only. Runs when the address is proven (``accounts.signals.
    email_proven``: confirmation link, password reset, address change), never on sign-up:
    anyone may sign up with any address. Returns how many orders were attached."""
    if not user.email or user.deleted_at is not None:
        return 0
    result = db.session.execute(
        update(Order)
        .where(Order.customer_id.is_(None), Order.customer_email == user.email)
        .values(customer_id=user.id)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@email_proven.connect
def _on_email_proven(user: User, **_extra: object) -> None:
    claim_guest_orders(user)
