"""Money on the DFC wire: decimal amounts there, integer cents here (STYLE §7).

DFC prices are unit prices, the shelf price VAT included (docs/dfc.md "Prices"), with
``VATrate`` the percentage they include (5.5); our variants store cents including VAT and
``vat_rate_bp`` in basis points (550). Each conversion
rounds once, ROUND_HALF_UP.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def to_cents(amount: Decimal) -> int:
    """Cents of a decimal amount in major units: Decimal("2.095") -> 210."""
    return int((amount * 100).to_integral_value(ROUND_HALF_UP))


def vat_rate_from_bp(vat_rate_bp: int) -> Decimal:
    """Basis points to the DFC percentage: 550 -> Decimal("5.5")."""
    return (Decimal(vat_rate_bp) / 100).normalize()


def vat_rate_to_bp(vat_rate: Decimal) -> int:
    """The DFC percentage to basis points: Decimal("5.5") -> 550."""
    return int((vat_rate * 100).to_integral_value(ROUND_HALF_UP))


def excluding_vat_cents(cents_including_vat: int, vat_rate: Decimal) -> int:
    """The price without VAT: 350 cents at 5.5 % -> 332."""
    return int(
        (Decimal(cents_including_vat) * 100 / (100 + vat_rate)).to_integral_value(ROUND_HALF_UP)
    )


def including_vat_cents(cents_excluding_vat: int, vat_rate: Decimal) -> int:
    """The price with VAT: 332 cents at 5.5 % -> 350."""
    return int(
        (Decimal(cents_excluding_vat) * (100 + vat_rate) / 100).to_integral_value(ROUND_HALF_UP)
    )
