"""The hub back office's use cases: hand-over, line edits, cancel, refund, pay at pickup, notes.

Each top-level service locks the order row (``orders.services.lock_order``), applies one rule,
commits once; Stripe and e-mails happen after the commit, never under a row lock. Permissions
are the views' business (``operations.permissions.can_run_hub_orders``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from accounts.models import User
from core.db import db
from core.timeutils import utcnow
from operations.backoffice.errors import OrderNotCollectable
from orders.models import Order, OrderStatus
from orders.services import lock_order

log = logging.getLogger(__name__)


def _locked(order: Order) -> Order:
    locked = lock_order(order.id)
    assert locked is not None
    return locked


# --------------------------------------------------------------------------- hand-over


def set_collected(
    order: Order, collected: bool, actor: User | None, at: datetime | None = None
) -> Order:
    """Mark an order handed over to the citizen (``collected=True``) or undo it; commit once.

    Rule: only a confirmed order (paid online, or to pay at pickup) can be handed over; a
    cancelled order or a card order still awaiting payment cannot (OrderNotCollectable).
    Un-collecting puts a collected order back to confirmed. Both are idempotent: marking a
    collected order collected keeps its first ``collected_at``. Whether the citizen still owes
    something is not checked here: the pickup list shows the balance due beside the tick.
    Locks the order row. ``at`` (aware UTC) defaults to now.
    """
    order = _locked(order)
    if collected:
        if order.status is OrderStatus.collected:
            db.session.commit()
            return order
        if order.status is not OrderStatus.confirmed:
            db.session.rollback()
            raise OrderNotCollectable()
        order.status = OrderStatus.collected
        order.collected_at = at or utcnow()
    else:
        if order.status is not OrderStatus.collected:
            db.session.commit()
            return order
        order.status = OrderStatus.confirmed
        order.collected_at = None
    log.info(
        "order %s %s by user %s",
        order.id,
        "collected" if collected else "un-collected",
        actor.id if actor is not None else None,
    )
    db.session.commit()
    return order
