"""Run charts and XmR charts as SVG pictures. Pure: dated values and the rules' results in, SVG text out.

Lines and points carry their values (data-value, data-index) and classes naming what they are (centre,
upper-limit, lower-limit, target; point common_cause, improvement or concern), so that a program can
check a chart as a person reads it."""

from __future__ import annotations

import math
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from services.metrics.spc import COMMON, CONCERN, IMPROVEMENT, INCREASE, RunChart, XmRChart

WIDTH, HEIGHT = 760, 330
LEFT, RIGHT, TOP, BOTTOM = 60, 150, 46, 56
COLOURS = {COMMON: "#768692", IMPROVEMENT: "#005eb8", CONCERN: "#ed8b00"}

STYLE = """
text { font-family: Arial, Helvetica, sans-serif; font-size: 12px; fill: #1d2733; }
.title { font-size: 15px; font-weight: bold; }
.subtitle { font-size: 12px; fill: #425563; }
.axis { stroke: #425563; stroke-width: 1; }
.grid { stroke: #e8edee; stroke-width: 1; }
.series { fill: none; stroke: #768692; stroke-width: 2; }
.centre { stroke: #212b32; stroke-width: 1.5; }
.upper-limit, .lower-limit { stroke: #425563; stroke-width: 1.2; stroke-dasharray: 6 4; }
.target { stroke: #da291c; stroke-width: 1.5; stroke-dasharray: 2 3; }
.line-label { font-size: 11px; fill: #425563; }
.target-label { font-size: 11px; fill: #da291c; }
.empty { font-size: 14px; fill: #425563; }
"""


LABEL_SPACING = 12


def render_run_chart(
    title: str, dates: list[date], values: list[float], chart: RunChart, target: float | None, direction: str = INCREASE
) -> str:
    signals = chart.signals
    kinds = [
        COMMON
        if i not in signals
        else IMPROVEMENT
        if (values[i] >= chart.median) == (direction == INCREASE)
        else CONCERN
        for i in range(len(values))
    ]
    notes = [f"{chart.runs} runs in {chart.useful_observations} useful observations"]
    if chart.runs_limits:
        notes[0] += f" (expected {chart.runs_limits[0]}–{chart.runs_limits[1]})"
        if chart.too_few_runs:
            notes.append("too few runs")
        if chart.too_many_runs:
            notes.append("too many runs")
    for name, points in (("shift", chart.shift), ("trend", chart.trend), ("astronomical point", chart.astronomical)):
        if points:
            notes.append(name)
    lines = [("centre", chart.median, "median")]
    return _render(title, "Run chart · " + "; ".join(notes), dates, values, kinds, lines, target)


def render_xmr_chart(
    title: str, dates: list[date], values: list[float], chart: XmRChart, target: float | None, baseline: int | None
) -> str:
    lines = [
        ("centre", chart.mean, "mean"),
        ("upper-limit", chart.upper_limit, "upper process limit"),
        ("lower-limit", chart.lower_limit, "lower process limit"),
    ]
    earlier = [
        (
            limits.start,
            following.start,
            [("centre", limits.mean), ("upper-limit", limits.upper_limit), ("lower-limit", limits.lower_limit)],
        )
        for limits, following in zip(chart.segments, chart.segments[1:])
    ]
    signals = [
        name
        for name, points in (
            ("beyond a limit", chart.beyond_limits),
            ("shift", chart.shift),
            ("trend", chart.trend),
            ("2 of 3 beyond ⅔ of the limits", chart.two_of_three),
        )
        if points
    ]
    subtitle = "XmR chart · " + ("; ".join(signals) if signals else "common cause variation only")
    if baseline:
        subtitle += f" · limits fixed on the first {baseline} points"
    if earlier:
        subtitle += f" · limits recalculated {len(earlier)} time{'s' if len(earlier) > 1 else ''}"
    kinds = [cause or COMMON for cause in chart.special_cause]
    return _render(
        title,
        subtitle,
        dates,
        values,
        kinds,
        lines,
        target,
        earlier,
        current_from=chart.current.start if earlier else 0,
    )


def _render(
    title: str,
    subtitle: str,
    dates: list[date],
    values: list[float],
    kinds: list[str],
    lines: list[tuple[str, float, str]],
    target: float | None,
    earlier: list[tuple[int, int, list[tuple[str, float]]]] = (),
    current_from: int = 0,
) -> str:
    """`lines` run from point `current_from` to the end, labelled; `earlier` stretches' lines (from, to, lines)
    are drawn over their own points only, as steps."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={quoteattr(title)}>',
        f"<style>{STYLE}</style>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text class="title" x="{LEFT}" y="20">{escape(title)}</text>',
        f'<text class="subtitle" x="{LEFT}" y="37">{escape(subtitle)}</text>',
    ]
    if not values:
        parts.append(
            f'<text class="empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">No data yet</text></svg>'
        )
        return "".join(parts)
    levels = (
        values
        + [value for _, value, _ in lines]
        + [value for *_, old in earlier for _, value in old]
        + ([target] if target is not None else [])
    )
    low, high = min(levels), max(levels)
    pad = (high - low) * 0.08 or max(abs(high), 1) * 0.1
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(values) - 1) if len(values) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    for tick in _ticks(low, high):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{_number(tick)}</text>')
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}"/>')
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    step = max(1, len(dates) // 8)
    for i in range(0, len(dates), step):
        parts.append(
            f'<text x="{x(i):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{dates[i].strftime("%d %b")}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle" class="line-label">'
        f"period ending ({dates[0].isoformat()} to {dates[-1].isoformat()})</text>"
    )

    levels = [(css, value, label, "line-label") for css, value, label in lines]
    if target is not None:
        levels.append(("target", target, "target", "target-label"))
    label_floor = None  # lines close together (or equal) keep their labels a line apart, top to bottom
    for css, value, label, label_css in sorted(levels, key=lambda level: y(level[1])):
        label_y = y(value) + 4 if label_floor is None else max(y(value) + 4, label_floor + LABEL_SPACING)
        label_floor = label_y
        start_x = x(current_from) if css != "target" and current_from else LEFT
        parts.append(_level_line(css, value, label, y(value), label_y, start_x, LEFT + plot_w, label_css))
    for first, following, old in earlier:
        for css, value in old:
            parts.append(
                f'<line class="{css} earlier" x1="{x(first):.1f}" x2="{x(following):.1f}" y1="{y(value):.1f}" '
                f'y2="{y(value):.1f}" data-earlier-value="{_number(value)}" data-from="{first}"/>'
            )

    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts.append(f'<path class="series" d="{path}"/>')
    for i, (value, kind) in enumerate(zip(values, kinds)):
        radius = 4 if kind == COMMON else 5.5
        parts.append(
            f'<circle class="point {kind}" cx="{x(i):.1f}" cy="{y(value):.1f}" r="{radius}" '
            f'fill="{COLOURS[kind]}" data-index="{i}" data-value="{_number(value)}">'
            f"<title>{dates[i].isoformat()}: {_number(value)}</title></circle>"
        )
    legend_y = TOP + plot_h + 36
    for offset, (kind, label) in enumerate(
        ((COMMON, "common cause"), (IMPROVEMENT, "special cause: improvement"), (CONCERN, "special cause: concern"))
    ):
        legend_x = LEFT + offset * 200
        parts.append(
            f'<circle cx="{legend_x}" cy="{legend_y - 4}" r="5" fill="{COLOURS[kind]}"/>'
            f'<text x="{legend_x + 10}" y="{legend_y}">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _level_line(
    css: str, value: float, label: str, at_y: float, label_y: float, x1: float, x2: float, label_css: str
) -> str:
    return (
        f'<line class="{css}" x1="{x1}" x2="{x2}" y1="{at_y:.1f}" y2="{at_y:.1f}" data-value="{_number(value)}"/>'
        f'<text class="{label_css}" x="{x2 + 6}" y="{label_y:.1f}">{escape(label)} {_number(value)}</text>'
    )


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = (low // step + 1) * step
    return [first + n * step for n in range(count + 1) if first + n * step <= high]


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
