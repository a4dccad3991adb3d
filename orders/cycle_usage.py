"""The orders package's answers to ``cycles.usage``: how much orders use a window or an offer."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from core.db import db
from cycles import usage
from orders.models import Order, OrderLine, OrderStatus


class _OrderUsage:
    def orders_on_window(self, window_id: int) -> int:
        return (
            db.session.scalar(
                select(func.count(Order.id)).where(Order.pickup_window_id == window_id)
            )
            or 0
        )

    def units_sold(self, offer_id: int) -> int:
        return int(
            db.session.scalar(
                select(func.coalesce(func.sum(OrderLine.quantity), 0))
                .join(Order, Order.id == OrderLine.order_id)
                .where(OrderLine.offer_id == offer_id, Order.status != OrderStatus.cancelled)
            )
            or 0
        )

    def ordered_offers(self, offer_ids: Collection[int]) -> set[int]:
        if not offer_ids:
            return set()
        return set(
            db.session.scalars(
                select(OrderLine.offer_id).where(OrderLine.offer_id.in_(offer_ids)).distinct()
            )
        )


usage.register(_OrderUsage())
