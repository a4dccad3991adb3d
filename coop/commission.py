"""The 1 % support commission as the coop reads it (statements, transparency).

The rule is written once in ``orders.pricing`` and the ledger in ``payments.commission``, beside
the order's money (its docstring states the rule whole); this module re-exports them for the
coop's pages so the coop never restates them.
"""

from __future__ import annotations

from payments.commission import (
    DEFAULT_COMMISSION_BP,
    commission_bp,
    commission_for,
    sync_commission,
)

__all__ = ["DEFAULT_COMMISSION_BP", "commission_bp", "commission_for", "sync_commission"]
