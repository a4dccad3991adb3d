"""The suggested contribution: published yearly costs shared between active enterprises."""

from __future__ import annotations

import pytest

from coop.contributions.services import suggest


def test_even_split():
    # 12 000,00 EUR of costs, 40 enterprises: 300,00 EUR a year, 25,00 EUR a month
    assert suggest(1_200_000, 40) == (30_000, 2_500)


def test_yearly_and_monthly_are_each_rounded_half_up_once():
    # 1 000,00 EUR / 3 = 333,3333 -> 333,33 a year; / 12 = 27,7777 -> 27,78 a month
    assert suggest(100_000, 3) == (33_333, 2_778)
    # 10,00 EUR / 8 = 1,25 a year; / 12 = 0,104166 -> 0,10 a month
    assert suggest(1_000, 8) == (125, 10)
    # 3,00 EUR / 1 / 12 = 0,25 a month exactly; 0,06 / 1 / 12 = 0,005 -> 0,01 (half up)
    assert suggest(300, 1) == (300, 25)
    assert suggest(6, 1) == (6, 1)


@pytest.mark.parametrize(("costs", "enterprises"), [(100_000, 0), (0, 10), (100_000, -1)])
def test_no_suggestion_without_enterprises_or_costs(costs, enterprises):
    assert suggest(costs, enterprises) is None
