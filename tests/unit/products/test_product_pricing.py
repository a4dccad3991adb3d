"""Unit prices (EU price indication) and sold-by-weight estimates."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from products.models import Unit
from products.pricing import estimated_price_cents, price_info, unit_price_cents


@pytest.mark.parametrize(
    ("price", "unit", "value", "expected"),
    [
        (450, Unit.g, "500", (900, "kg")),  # 4,50 € the 500 g -> 9,00 €/kg
        (690, Unit.cl, "75", (920, "L")),  # 6,90 € the 75 cl bottle -> 9,20 €/L
        (250, Unit.l, "1", (250, "L")),
        (420, Unit.dozen, "1", (35, "piece")),  # a dozen eggs -> 0,35 € each
        (250, Unit.piece, "6", (42, "piece")),  # 41,666 -> 42 (half up, once)
        (1, Unit.piece, "2", (1, "piece")),  # 0,5 cent rounds up
        (330, Unit.ml, "330", (1000, "L")),
        (1200, Unit.kg, "2,5".replace(",", "."), (480, "kg")),
    ],
)
def test_unit_price_per_base_unit(price, unit, value, expected):
    assert unit_price_cents(price, unit, Decimal(value), False) == expected


def test_sold_by_weight_price_is_already_per_kg():
    assert unit_price_cents(1490, Unit.kg, Decimal("1.8"), True) == (1490, "kg")
    # a 1.8 kg chicken at 14,90 €/kg: about 26,82 €
    assert estimated_price_cents(1490, Unit.kg, Decimal("1.8")) == 2682
    assert estimated_price_cents(1490, Unit.g, Decimal("1750")) == 2608  # 26,075 -> 26,08


def test_zero_quantity_is_refused():
    with pytest.raises(ValueError, match="positive"):
        unit_price_cents(100, Unit.g, Decimal("0"), False)


def test_estimate_needs_a_weight_unit():
    with pytest.raises(ValueError, match="weight"):
        estimated_price_cents(100, Unit.piece, Decimal("1"))


def _variant(**kw):
    base = dict(price_cents=450, unit=Unit.g, unit_value=Decimal("500"), sold_by_weight=False)
    return SimpleNamespace(**{**base, **kw})


def test_price_info_with_a_customer_price_override():
    info = price_info(_variant(), 495)  # hub fee included
    assert (info.price_cents, info.unit_price_cents, info.base_unit) == (495, 990, "kg")
    assert not info.estimated


def test_price_info_sold_by_weight_shows_an_estimate():
    info = price_info(
        _variant(price_cents=1490, unit=Unit.kg, unit_value=Decimal("1.8"), sold_by_weight=True)
    )
    assert info.estimated
    assert info.price_cents == 2682
    assert info.unit_price_cents == 1490


def test_one_piece_unit_price_is_not_repeated():
    info = price_info(_variant(price_cents=300, unit=Unit.piece, unit_value=Decimal("1")))
    assert info.unit_price_redundant
    assert not price_info(
        _variant(price_cents=300, unit=Unit.piece, unit_value=Decimal("6"))
    ).unit_price_redundant
