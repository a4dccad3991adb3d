"""orders' part of the GDPR export and of the account deletion (see accounts.gdpr)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update

from accounts import gdpr
from accounts.services import DELETED_CUSTOMER_NAME
from core.db import db
from enterprises.models import Enterprise
from orders.models import Cart, CartItem, Order

if TYPE_CHECKING:
    from accounts.models import User


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def export_orders(user: User) -> list[dict[str, Any]]:
    orders = db.session.scalars(
        select(Order).where(Order.customer_id == user.id).order_by(Order.placed_at, Order.id)
    ).all()
    hub_names = dict(
        db.session.execute(
            select(Enterprise.id, Enterprise.name).where(
                Enterprise.id.in_({o.hub_id for o in orders} | {0})
            )
        ).all()
    )
    return [
        {
            "number": o.number,
            "hub": hub_names.get(o.hub_id, ""),
            "status": str(o.status),
            "payment_method": str(o.payment_method),
            "payment_status": str(o.payment_status),
            "placed_at": _iso(o.placed_at),
            "customer_name": o.customer_name,
            "customer_email": o.customer_email,
            "customer_phone": o.customer_phone,
            "customer_note": o.customer_note,
            "total_cents": o.total_cents,
            "currency": o.currency,
            "lines": [
                {
                    "product": line.product_name,
                    "variant": line.variant_name,
                    "quantity": line.quantity,
                    "unit_price_cents": line.unit_price_cents,
                    "line_total_cents": line.line_total_cents,
                }
                for line in o.lines
            ],
        }
        for o in orders
    ]


def erase_orders(user: User) -> dict[str, Any]:
    """Orders are kept for the hubs' accounts with the contact snapshot wiped; carts go."""
    result = db.session.execute(
        update(Order)
        .where(Order.customer_id == user.id)
        .values(
            customer_name=DELETED_CUSTOMER_NAME,
            customer_email="",
            customer_phone="",
            customer_note="",
        )
    )
    carts = select(Cart.id).where(Cart.user_id == user.id)
    db.session.execute(delete(CartItem).where(CartItem.cart_id.in_(carts)))
    db.session.execute(delete(Cart).where(Cart.user_id == user.id))
    return {"orders_anonymised": int(result.rowcount or 0)}  # type: ignore[attr-defined]


gdpr.register("orders", priority=20, export=export_orders, erase=erase_orders)
