"""Money is integer euro cents. Every rounding rule of the project is written here, once.

Rule: amounts are computed in ``Decimal`` and rounded to the cent with ROUND_HALF_UP (a half cent
goes up: 0.125 EUR -> 0.13 EUR), once per computed amount, never on intermediate values.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("1")


def round_cents(value: Decimal) -> int:
    """Round an amount expressed in (possibly fractional) cents to whole cents, half up."""
    return int(value.quantize(CENT, rounding=ROUND_HALF_UP))


def percent_of(amount_cents: int, basis_points: int) -> int:
    """``basis_points``/10000 of ``amount_cents``, rounded half up (1 % = 100 bp)."""
    return round_cents(Decimal(amount_cents) * Decimal(basis_points) / Decimal(10000))


def parse_euros(text: str) -> int:
    """Parse a user-typed euro amount ("12,34", "12.34", "12") into cents.

    Raises ValueError on anything else, including more than two decimals.
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", ".")
    if not cleaned:
        raise ValueError("empty amount")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise ValueError("not a number")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("more than two decimals")
    return int(value * 100)


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def vat_included_cents(gross_cents: int, rate_bp: int) -> int:
    """The VAT contained in a VAT-inclusive amount: gross - gross / (1 + rate)."""
    if rate_bp == 0:
        return 0
    net = Decimal(gross_cents) * Decimal(10000) / Decimal(10000 + rate_bp)
    return gross_cents - round_cents(net)
