"""The 1 % commission rule and its rounding (coop.commission, core.money)."""

from __future__ import annotations

import pytest

from coop.commission import commission_for
from orders.pricing import breakdown
from payments import commission as ledger


def test_a_12_34_eur_order_gives_a_12_cent_commission():
    assert commission_for(1234) == 12  # 0.1234 EUR -> 0.12 EUR


@pytest.mark.parametrize(
    ("base_cents", "expected"),
    [
        (50, 1),  # 0.005 EUR: a half cent goes up
        (49, 0),  # 0.0049 EUR
        (150, 2),  # 0.015 EUR -> 0.02 (half up, not to even)
        (250, 3),  # 0.025 EUR -> 0.03 (banker's rounding would give 0.02)
        (0, 0),
        (100_000, 1_000),
    ],
)
def test_half_cents_round_up(base_cents, expected):
    assert commission_for(base_cents) == expected


def test_a_negative_base_gives_no_commission():
    assert commission_for(-500) == 0


def test_the_rule_and_its_examples_are_written_in_the_docstring():
    doc = ledger.__doc__ or ""  # written once, beside the order's money
    assert "half up" in doc
    assert "12.34 EUR -> 0.12 EUR" in doc
    assert "0.50 EUR" in doc
    assert "0.49 EUR" in doc
    assert "1.50 EUR -> 0.015 EUR -> 0.02 EUR" in doc


def test_the_line_breakdown_adds_up_to_the_line_total():
    line = breakdown(1234, 112, 550)  # 12.34 EUR of which 1.12 EUR hub fee, VAT 5.5 %
    assert line.producer_cents + line.hub_fee_cents == line.total_cents == 1234
    assert line.commission_cents == 12
    assert line.vat_cents == 64  # 12.34 - 12.34 / 1.055 = 0.6433 -> 0.64
