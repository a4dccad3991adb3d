"""What quantity of an item is "usual" in one cart: above it, the shop asks "is that right?".

A typo guard for the citizen (999 baguettes for 9), not a stock rule: the order still goes
through once confirmed, up to ``orders.stock.MAX_QUANTITY``. The limit is, for a variant:

- at least ``MIN_UNITS`` of it (nobody is asked about 10 bags of anything);
- and at least what ``BASE_AMOUNT`` of its unit kind makes: 10 kg, 10 l or 24 pieces (so 40
  butters of 250 g, 24 baguettes, 10 dozens of eggs, 10 sacks of 5 kg potatoes);
- raised to ``HISTORY_FACTOR`` times what people usually order of it (the 90th percentile of
  its last ``HISTORY_LINES`` order lines), so the crate a restaurant orders every week does not
  ask each time.

The history is read only when a quantity exceeds the fixed limit (one indexed query).
"""

from __future__ import annotations

import math
from decimal import Decimal

from sqlalchemy import select

from core.db import db
from products.models import UnitKind, Variant

MIN_UNITS = 10
BASE_AMOUNT: dict[UnitKind, Decimal] = {
    UnitKind.weight: Decimal("10"),  # kg
    UnitKind.volume: Decimal("10"),  # l
    UnitKind.items: Decimal("24"),  # pieces
}
HISTORY_LINES = 100
HISTORY_FACTOR = 3


def fixed_limit(variant: Variant) -> int:
    """The quantity of ``variant`` above which the shop asks, before looking at its history."""
    size = variant.quantity_in_base_unit
    by_amount = int(BASE_AMOUNT[variant.unit_kind] / size) if size > 0 else MIN_UNITS
    return max(MIN_UNITS, by_amount)


def _typical(variant_id: int) -> int:
    """The 90th percentile of the quantities in the variant's last order lines (0 if none)."""
    from orders.models import OrderLine

    quantities = sorted(
        db.session.scalars(
            select(OrderLine.quantity)
            .where(OrderLine.variant_id == variant_id)
            .order_by(OrderLine.id.desc())
            .limit(HISTORY_LINES)
        )
    )
    if not quantities:
        return 0
    return quantities[min(len(quantities) - 1, math.ceil(0.9 * len(quantities)) - 1)]


def needs_confirmation(variant: Variant, before: int, after: int) -> bool:
    """Whether taking the cart's quantity of ``variant`` from ``before`` to ``after`` crosses
    the usual limit (asked once: raising a quantity already confirmed does not ask again)."""
    limit = fixed_limit(variant)
    if after <= limit or before >= after:
        return False
    limit = max(limit, HISTORY_FACTOR * _typical(variant.id))
    return before <= limit < after
