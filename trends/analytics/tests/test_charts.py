"""The bar charts' geometry: a round scale, bars in proportion."""

from datetime import date, timedelta

import pytest

from trends.analytics import charts


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (2, 2), (3, 5), (5, 5), (6, 10), (11, 20), (894, 1000), (1001, 2000)]
)
def test_the_scale_tops_at_a_round_number(value, top):
    assert charts.nice_ceiling(value) == top


def test_bars_are_in_proportion_to_the_largest():
    start = date(2026, 11, 1)
    chart = charts.bar_chart(
        "likes", "Likes", [(start + timedelta(days=n), value) for n, value in enumerate([0, 5, 10])]
    )

    heights = [bar.height for bar in chart.bars]
    assert heights == [0, charts.PLOT_HEIGHT / 2, charts.PLOT_HEIGHT]
    assert all(bar.y + bar.height == charts.BASELINE for bar in chart.bars)
    assert [tick.value for tick in chart.ticks] == [0, 5, 10]
    assert chart.bars[0].x < chart.bars[1].x < chart.bars[2].x < charts.WIDTH
    assert (
        chart.description
        == "Likes per day from 1 November 2026 to 3 November 2026: 15 in all, the most on 3 November (10)."
    )


def test_an_empty_chart_has_flat_bars_and_says_so():
    chart = charts.bar_chart("quotes", "Quotes", [(date(2026, 11, 1), 0), (date(2026, 11, 2), 0)])

    assert [bar.height for bar in chart.bars] == [0, 0]
    assert [tick.value for tick in chart.ticks] == [0, 1]
    assert chart.description.endswith(": none.")
