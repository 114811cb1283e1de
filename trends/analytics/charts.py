"""Daily bar charts as plain geometry, drawn as inline SVG by the template
(trends/templates/analytics/_chart.html).

Drawn on the server: the page needs no JavaScript charting library, prints
and works without scripts, and the same numbers fill the table beside the
chart that screen readers and text browsers get.
"""

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 600, 180
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 24  # room for the axis labels
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT


@dataclass(frozen=True)
class Bar:
    day: date
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class Chart:
    key: str
    """Names the chart's element ids on the page."""
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: int = BASELINE
    label_y: int = HEIGHT - 6


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... at or above `value`: a scale
    whose top is a round number."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(value)) - 1)  # value < 10 * magnitude
    return next(step * magnitude for step in (1, 2, 5, 10) if value <= step * magnitude)


def bar_chart(key: str, label: str, series: list[tuple[date, int]]) -> Chart:
    """One bar per (day, value), oldest first, scaled to the largest value."""
    top = nice_ceiling(max((value for _, value in series), default=0))
    slot = PLOT_WIDTH / max(len(series), 1)
    bars = []
    for index, (day, value) in enumerate(series):
        height = value / top * PLOT_HEIGHT
        bars.append(
            Bar(
                day=day,
                value=value,
                x=round(LEFT + index * slot + slot * 0.15, 2),
                y=round(BASELINE - height, 2),
                width=round(max(slot * 0.7, 1), 2),
                height=round(height, 2),
            )
        )
    ticks = [
        Tick(value=value, y=round(BASELINE - value / top * PLOT_HEIGHT, 2))
        # A halfway line only where it falls on a whole number (not for 1 or 5).
        for value in ((0, top // 2, top) if top % 2 == 0 else (0, top))
    ]
    return Chart(
        key=key, title=f"{label} per day", description=_describe(label, series), bars=bars, ticks=ticks
    )


def _describe(label: str, series: list[tuple[date, int]]) -> str:
    first, last = series[0][0], series[-1][0]
    total = sum(value for _, value in series)
    span = f"{label} per day from {first:%-d %B %Y} to {last:%-d %B %Y}"
    if not total:
        return f"{span}: none."
    best_day, best = max(series, key=lambda item: (item[1], item[0]))
    return f"{span}: {total:,} in all, the most on {best_day:%-d %B} ({best:,})."
