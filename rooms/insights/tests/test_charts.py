from datetime import date, timedelta

import pytest

from rooms.insights.charts import (
    BOTTOM,
    HEIGHT,
    TOP,
    Series,
    _nice_max,
    day_bars,
    horizontal_bars,
)

DAYS = [date(2026, 3, 1) + timedelta(days=n) for n in range(3)]
PLOT_H = HEIGHT - TOP - BOTTOM


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (11, 20), (480, 500)]
)
def test_it_rounds_the_axis_up_to_1_2_or_5(value, top):
    assert _nice_max(value) == top


def test_it_stacks_the_series_of_a_day():
    chart = day_bars(
        key="k",
        title="t",
        description="d",
        days=DAYS,
        series=[Series("a", [1, 0, 2]), Series("b", [1, 0, 3])],
    )

    # Top of the axis: 5 (the largest day, 2 + 3). No rectangle for a zero.
    assert [t.label for t in chart.y_ticks] == ["0", "2", "5"]
    assert [(r.series, r.height) for r in chart.rects] == [
        (0, PLOT_H / 5),
        (1, PLOT_H / 5),
        (0, 2 * PLOT_H / 5),
        (1, 3 * PLOT_H / 5),
    ]
    first_a, first_b = chart.rects[0], chart.rects[1]
    assert first_b.x == first_a.x
    assert first_b.y + first_b.height == pytest.approx(first_a.y)  # b sits on a
    assert [t.label for t in chart.x_ticks] == ["03-01", "03-02", "03-03"]


def test_it_puts_grouped_series_side_by_side():
    chart = day_bars(
        key="k",
        title="t",
        description="d",
        days=DAYS[:1],
        series=[Series("a", [2]), Series("b", [1])],
        grouped=True,
    )

    a, b = chart.rects
    assert b.x == pytest.approx(a.x + a.width)
    assert a.y + a.height == b.y + b.height == HEIGHT - BOTTOM  # both on the baseline
    assert a.height == PLOT_H  # the axis tops at the largest bar, not the sum


def test_it_draws_a_distribution_left_to_right():
    chart = horizontal_bars(
        key="k", title="t", description="d", labels=["x", "y", "z"], values=[4, 0, 2]
    )

    assert [t.label for t in chart.y_ticks] == ["x", "y", "z"]
    assert [r.series for r in chart.rects] == [0, 2]
    assert chart.rects[0].width == 2 * chart.rects[1].width
    assert [t.label for t in chart.x_ticks] == ["0", "2", "5"]


def test_it_draws_an_empty_range():
    chart = day_bars(key="k", title="t", description="d", days=DAYS, series=[Series("a", [0] * 3)])

    assert chart.rects == []
    assert [t.label for t in chart.y_ticks] == ["0", "1"]
