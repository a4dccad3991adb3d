"""The hub's fee on an offer: the one rule, shared by the manager pages and orders.pricing.

A percent fee is in basis points of the producer price (10 % = 1000), rounded half up once
(``core.money.percent_of``); a fixed fee is that many cents per item (per kg when sold by weight).
"""

from __future__ import annotations

from typing import Protocol

from core.money import percent_of
from cycles.models import FeeKind


class HasFee(Protocol):
    hub_fee_kind: FeeKind
    hub_fee_value: int


def hub_fee_cents(
    offer_or_kind: HasFee | FeeKind | str, producer_price_cents: int, value: int | None = None
) -> int:
    """The hub fee on one unit at ``producer_price_cents``.

    Pass an offer (anything with ``hub_fee_kind``/``hub_fee_value``), or a kind and its ``value``.
    """
    if isinstance(offer_or_kind, FeeKind | str):
        kind = FeeKind(offer_or_kind)
        fee_value = int(value or 0)
    else:
        kind = FeeKind(offer_or_kind.hub_fee_kind)
        fee_value = int(offer_or_kind.hub_fee_value)
    if kind is FeeKind.fixed:
        return fee_value
    return percent_of(producer_price_cents, fee_value)


def customer_price_cents(
    offer_or_kind: HasFee | FeeKind | str, producer_price_cents: int, value: int | None = None
) -> int:
    """Producer price (VAT included) plus the hub fee."""
    return producer_price_cents + hub_fee_cents(offer_or_kind, producer_price_cents, value)
