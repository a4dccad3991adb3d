"""Who gets what of an order's lines (orders.pricing.order_breakdown), by hand."""

from __future__ import annotations

from orders.pricing import order_breakdown


def test_the_producers_get_the_totals_less_the_hub_fees_and_the_commission_is_rounded_once():
    # three lines of 3,35 € (0,35 € hub fee each): the 1 % of 10,05 € is 0,1005 → 0,10 €,
    # where three per-line roundings (0,0335 → 0,03) would give 0,09 €
    split = order_breakdown([335, 335, 335], [35, 35, 35])
    assert split.total_cents == 1005
    assert split.hub_fee_cents == 105
    assert split.producers_cents == 900
    assert split.commission_cents == 10


def test_no_lines_is_all_zero():
    split = order_breakdown([], [])
    assert (split.total_cents, split.hub_fee_cents, split.producers_cents) == (0, 0, 0)
    assert split.commission_cents == 0
