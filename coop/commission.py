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

The rule is written in ``orders.pricing`` and the ledger in ``payments.commission``, beside the
order's money; the coop reads them from here (statements, transparency).
"""

from __future__ import annotations

from payments.commission import (
    DEFAULT_COMMISSION_BP,
    commission_bp,
    commission_for,
    sync_commission,
)

__all__ = ["DEFAULT_COMMISSION_BP", "commission_bp", "commission_for", "sync_commission"]
