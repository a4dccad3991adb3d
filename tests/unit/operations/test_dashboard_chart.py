"""The dashboard chart's geometry: scale, bars, gridlines, edge cases."""

from __future__ import annotations

from operations.dashboard.chart import BOTTOM, HEIGHT, LEFT, TOP, bar_chart, nice_top

PLOT_H = HEIGHT - TOP - BOTTOM


def test_round_scale_tops():
    assert nice_top(0) == 100  # 1 €
    assert nice_top(99) == 100
    assert nice_top(101) == 200
    assert nice_top(20_001) == 25_000  # 250 €
    assert nice_top(30_000) == 50_000
    assert nice_top(1_234_567) == 2_000_000


def test_bars_are_scaled_to_the_round_top():
    chart = bar_chart([("A", 10_000), ("B", 25_000)])  # top 250 €
    a, b = chart.bars
    assert b.height == PLOT_H  # the largest bar reaches the top
    assert a.height == round(PLOT_H * 10_000 / 25_000, 1)
    assert a.y + a.height == chart.baseline
    assert a.x < b.x
    assert a.x >= LEFT
    assert [g.cents for g in chart.gridlines] == [0, 6_250, 12_500, 18_750, 25_000]
    assert chart.gridlines[0].y == chart.baseline


def test_empty_and_single_point_charts():
    empty = bar_chart([])
    assert empty.bars == []
    assert empty.gridlines[-1].cents == 100
    (only,) = bar_chart([("A", 0)]).bars
    assert only.height == 0


def test_large_values_stay_inside_the_plot():
    chart = bar_chart([("A", 987_654_321), ("B", 1)])
    assert all(TOP <= bar.y <= chart.baseline for bar in chart.bars)
    assert max(bar.height for bar in chart.bars) <= PLOT_H
