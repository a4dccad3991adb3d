"""Unit prices (EUR/kg, EUR/L, EUR/piece) and sold-by-weight estimates.

EU Directive 98/6/EC (French arrêté du 3 décembre 1987) requires the price per kilogram, litre or
piece next to every selling price of a pre-packed quantity. The rule is written once here, in
``Decimal`` with the project's only rounding (``core.money.round_cents``, half up, once), and shown
by the ``price(variant)`` macro of ``templates/products/_price.html`` that every page reuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from flask_babel import lazy_gettext as _l

from core.money import round_cents
from products.models import UNIT_INFO, Unit, UnitKind

#: the base unit of each kind of quantity, as shown after "€/"
BASE_UNIT = {UnitKind.weight: "kg", UnitKind.volume: "L", UnitKind.items: "piece"}

#: translatable display of the base units and of the variant units
BASE_UNIT_LABELS = {"kg": _l("kg"), "L": _l("L"), "piece": _l("piece")}


class PricedVariant(Protocol):
    price_cents: int
    unit: Unit
    unit_value: Decimal
    sold_by_weight: bool


def unit_price_cents(
    price_cents: int, unit: Unit | str, unit_value: Decimal | int | str, sold_by_weight: bool
) -> tuple[int, str]:
    """The price per base unit and that unit ("kg", "L" or "piece").

    A variant sold by weight is already priced per kg. Otherwise the price is divided by the
    quantity in the base unit (500 g -> 0.5 kg, 75 cl -> 0.75 L, a dozen -> 12 pieces) and rounded
    once, half up. Raises ValueError on a quantity that is not positive.
    """
    unit = Unit(unit)
    kind, factor = UNIT_INFO[unit]
    if sold_by_weight:
        return price_cents, "kg"
    quantity = Decimal(unit_value) * factor
    if quantity <= 0:
        raise ValueError("the quantity of a variant must be positive")
    return round_cents(Decimal(price_cents) / quantity), BASE_UNIT[kind]


def estimated_price_cents(price_per_kg_cents: int, unit: Unit | str, unit_value: Decimal) -> int:
    """Estimated price of one item sold by weight: price per kg x estimated weight, rounded once."""
    unit = Unit(unit)
    kind, factor = UNIT_INFO[unit]
    if kind is not UnitKind.weight:
        raise ValueError("a variant sold by weight has a weight unit")
    return round_cents(Decimal(price_per_kg_cents) * Decimal(unit_value) * factor)


@dataclass(frozen=True)
class PriceInfo:
    """What the price macro shows for one variant at one price (producer's or customer's)."""

    #: the selling price of one variant (for sold-by-weight: the estimate of one item)
    price_cents: int
    unit_price_cents: int
    base_unit: str
    sold_by_weight: bool
    #: True when ``price_cents`` is an estimate (sold by weight: final weight set at packing)
    estimated: bool
    #: the price per unit equals the price itself (one piece): no need to show it twice
    unit_price_redundant: bool

    @property
    def base_unit_label(self) -> str:
        return str(BASE_UNIT_LABELS[self.base_unit])


def price_info(variant: PricedVariant, price_cents: int | None = None) -> PriceInfo:
    """Price and unit price of ``variant``; ``price_cents`` overrides its own price (hub fee)."""
    cents = variant.price_cents if price_cents is None else int(price_cents)
    per_unit, base = unit_price_cents(
        cents, variant.unit, variant.unit_value, variant.sold_by_weight
    )
    if variant.sold_by_weight:
        estimate = estimated_price_cents(cents, variant.unit, variant.unit_value)
        return PriceInfo(estimate, per_unit, base, True, True, False)
    return PriceInfo(cents, per_unit, base, False, False, per_unit == cents and base == "piece")
