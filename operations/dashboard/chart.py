"""A bar chart's geometry, computed on the server and drawn as inline SVG by the template.

Pure arithmetic (no I/O): the template only places what is computed here. Amounts are cents;
the scale's top is a "round" value (1, 2, 2.5 or 5 times a power of ten, in euros) so the
gridlines read well.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
HEIGHT = 240
#: room for the axis labels (left) and the bar labels (bottom)
LEFT = 64
BOTTOM = 40
TOP = 12
RIGHT = 8


@dataclass(frozen=True)
class Bar:
    label: str
    cents: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Gridline:
    cents: int
    y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    gridlines: list[Gridline]
    left: int
    baseline: float


def nice_top(cents: int) -> int:
    """The smallest round amount (1, 2, 2.5, 5 × 10^n euros) at or above ``cents``."""
    if cents <= 0:
        return 100  # an empty chart still shows a 0-1 € scale
    magnitude = 100
    while True:
        for step in (1, 2, 2.5, 5):
            top = int(step * magnitude)
            if top >= cents:
                return top
        magnitude *= 10


def bar_chart(points: list[tuple[str, int]], *, gridlines: int = 4) -> Chart:
    """Bars for ``points`` (label, cents), left to right, scaled to the plot area."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    baseline = float(TOP + plot_h)
    top = nice_top(max((c for _, c in points), default=0))
    slot = plot_w / max(len(points), 1)
    bar_w = slot * 0.7
    bars = []
    for i, (label, cents) in enumerate(points):
        h = plot_h * max(cents, 0) / top
        bars.append(
            Bar(
                label=label,
                cents=cents,
                x=round(LEFT + i * slot + (slot - bar_w) / 2, 1),
                y=round(baseline - h, 1),
                width=round(bar_w, 1),
                height=round(h, 1),
            )
        )
    lines = [
        Gridline(cents=top * k // gridlines, y=round(baseline - plot_h * k / gridlines, 1))
        for k in range(gridlines + 1)
    ]
    return Chart(WIDTH, HEIGHT, bars, lines, LEFT, baseline)
