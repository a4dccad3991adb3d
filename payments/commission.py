"""The 1 % support commission: the rule, its rounding and its ledger, written once.

Rule (shown to users on the transparency page):
- Base: the price of the products sold, as the citizen pays it: producer prices plus the hub's
  fees, VAT included, as paid and kept (``payments.money``, "net sold": the order's total less
  goodwill refunds, never more than what was paid less refunded). The hub fee is part of the
  base because it is part of the price of the products; payment fees and contributions are not.
- Amount: 1 % of the base per order, rounded once to the cent, half up (``core.money.percent_of``):
  12.34 EUR -> 0.12 EUR; 0.50 EUR -> 0.005 EUR -> 0.01 EUR; 0.49 EUR -> 0.0049 EUR -> 0.00 EUR;
  1.50 EUR -> 0.015 EUR -> 0.02 EUR (half up, never "to even": 2.50 EUR -> 0.03 EUR).
- It is never added to the citizen's price: it comes out of the hub's revenue, collected as the
  Stripe application fee when the hub is paid through Stripe Connect, otherwise billed on the
  hub's monthly statement.
- Charged when the order is paid (card webhook, or marked paid at pickup); a refund or a
  cancellation recomputes it on what remains and records the difference as a reversal.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.db import db
from orders.models import Order, OrderStatus, PaymentStatus
from orders.pricing import DEFAULT_COMMISSION_BP, commission_bp, commission_for
from payments.models import CommissionEntry, CommissionKind
from payments.money import money_of

__all__ = ["DEFAULT_COMMISSION_BP", "commission_bp", "commission_for", "sync_commission"]


def _ledger_total(order_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(CommissionEntry.amount_cents), 0)).where(
                CommissionEntry.order_id == order_id
            )
        )
        or 0
    )


def _kept_for_goods(order: Order) -> int:
    """The base of an order: what was paid and kept for the goods (``payments.money``, "net
    sold": the price of the goods sold, less goodwill refunds, never more than what was paid
    and kept; a line edit after payment can refund an overpayment or leave a balance due)."""
    return money_of(order).net_sold_cents


def sync_commission(order: Order, *, collected_via: str | None = None) -> CommissionEntry | None:
    """Bring the ledger in line with the order's current base; flush only (caller commits).

    Call it when an order becomes paid and after every refund, line edit or cancellation. The
    caller holds the order's row lock. Idempotent: calling it twice records nothing new.
    ``collected_via``: "application_fee" when Stripe Connect took it, else "statement".
    """
    charged = order.payment_status in (PaymentStatus.paid, PaymentStatus.partially_refunded)
    base = _kept_for_goods(order) if charged else 0
    if order.status is OrderStatus.cancelled:
        base = 0
    due = commission_for(base)
    recorded = _ledger_total(order.id)
    order.commission_cents = due
    if due == recorded:
        return None
    via = collected_via or ("application_fee" if order.hub.stripe_account_id else "statement")
    entry = CommissionEntry(
        hub_id=order.hub_id,
        order_id=order.id,
        kind=CommissionKind.charge if due > recorded else CommissionKind.reversal,
        base_cents=base,
        amount_cents=due - recorded,
        collected_via=via,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
