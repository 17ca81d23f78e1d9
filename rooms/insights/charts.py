"""Server-rendered SVG charts (no script, no CDN): geometry here, markup in
rooms/templates/rooms/insights/_chart.html. Each chart has a title and a description for screen
readers, and the page shows the same numbers in a table beside it. Colours come from CSS classes
(rooms/static/rooms/insights.css), so the strict style policy holds."""

from dataclasses import dataclass, field
from datetime import date

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 28


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: int


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass
class Chart:
    key: str
    title: str
    description: str
    legend: list[tuple[int, str]]
    rects: list[Rect] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_bottom: int = HEIGHT - BOTTOM
    plot_right: int = WIDTH - RIGHT


def _nice_max(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k at least `value` (at least 1): round axis labels."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return max(m * step, 1)
        step *= 10


def _y_ticks(top: int) -> list[Tick]:
    plot = HEIGHT - BOTTOM - TOP
    values = sorted({0, top // 2, top}) if top > 1 else [0, top]
    return [Tick(HEIGHT - BOTTOM - plot * v / top, str(v)) for v in values]


def day_bars(
    *,
    key: str,
    title: str,
    description: str,
    days: list[date],
    series: list[Series],
    grouped: bool = False,
) -> Chart:
    """Bars per day: the series stacked (parts of a whole) or side by side (`grouped`)."""
    chart = Chart(key, title, description, legend=list(enumerate(s.label for s in series)))
    if grouped:
        top = _nice_max(max((v for s in series for v in s.values), default=0))
    else:
        top = _nice_max(
            max((sum(s.values[i] for s in series) for i in range(len(days))), default=0)
        )
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(days), 1)
    bar = slot * 0.8 / (len(series) if grouped else 1)
    for i in range(len(days)):
        left = LEFT + i * slot + slot * 0.1
        base = 0
        for n, s in enumerate(series):
            value = s.values[i]
            x = left + n * bar if grouped else left
            bottom = 0 if grouped else base
            if value:
                y = HEIGHT - BOTTOM - plot_h * (bottom + value) / top
                chart.rects.append(
                    Rect(round(x, 2), round(y, 2), round(bar, 2), round(plot_h * value / top, 2), n)
                )
            base += value
    chart.y_ticks = _y_ticks(top)
    chart.x_ticks = _x_ticks(days, slot)
    return chart


def _x_ticks(days: list[date], slot: float) -> list[Tick]:
    """The first, middle and last day (more would overlap on a year)."""
    if not days:
        return []
    picks = sorted({0, len(days) // 2, len(days) - 1})
    return [Tick(round(LEFT + (i + 0.5) * slot, 2), days[i].strftime("%m-%d")) for i in picks]


def horizontal_bars(
    *, key: str, title: str, description: str, labels: list[str], values: list[int]
) -> Chart:
    """One bar per label, left to right (a distribution)."""
    label_w = 160
    row = 28
    height = TOP + row * len(labels) + BOTTOM
    chart = Chart(key, title, description, legend=[], height=height)
    chart.plot_left, chart.plot_bottom = label_w, height - BOTTOM
    top = _nice_max(max(values, default=0))
    plot_w = WIDTH - label_w - RIGHT
    for i, value in enumerate(values):
        chart.y_ticks.append(Tick(TOP + i * row + row / 2, labels[i]))
        if value:
            chart.rects.append(
                Rect(label_w, TOP + i * row + 4, round(plot_w * value / top, 2), row - 8, i)
            )
    chart.x_ticks = [
        Tick(round(label_w + plot_w * v / top, 2), str(v)) for v in sorted({0, top // 2, top})
    ]
    return chart
