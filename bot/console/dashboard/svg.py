"""Charts drawn on the server as SVG: no script, no library, readable on a phone (they scale to the width) and
printable. Every mark carries its figure in a <title> (shown on hover, read by screen readers)."""

from __future__ import annotations

from markupsafe import Markup, escape

from bot.console.dashboard.charts import Chart, Value

WIDTH = 480  # scaled to the page: on a phone's 360 pixels, 13-pixel text stays about 10 pixels high
PLOT_HEIGHT = 160
LEFT, BOTTOM, TOP = 48, 40, 10
LEGEND_LINE = 18
BAR_ROW = 38  # a bar's label on its own line above it, so long labels keep the whole width
# Okabe and Ito's palette: told apart with every common colour-vision deficiency.
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _scale_max(chart: Chart, stacked: bool) -> float:
    if chart.unit == "%":
        return 1.0
    drawn = len(chart.drawn)
    totals = [
        sum(v or 0 for v in values[:drawn]) if stacked else max((v or 0 for v in values[:drawn]), default=0)
        for _category, values in chart.rows
    ]
    top = max(totals, default=0) or 1
    # A round top for the axis: 1, 2 or 5 times a power of ten.
    magnitude = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        if top <= step * magnitude:
            return float(step * magnitude)
    return float(top)


def _axis_label(chart: Chart, value: float) -> str:
    if chart.unit == "%":
        return f"{value * 100:.0f} %"
    return _number(value) + (" h" if chart.unit == "h" else "")


def _mark_title(chart: Chart, category: str, series: str, value: Value) -> str:
    shown = chart.shown(value)
    label = f"{category} · {series}: {shown}" if len(chart.drawn) > 1 else f"{category}: {shown}"
    return f"<title>{escape(label)}</title>"


def _frame(chart: Chart, height: int, body: list[str]) -> Markup:
    title_id = f"chart-{chart.name}-title"
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{title_id}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        *body,
        "</svg>",
    ]
    return Markup("\n".join(parts))


def _legend(chart: Chart, y: int) -> tuple[list[str], int]:
    """The series' colours and names from `y` down, wrapped to the width; and the height it took."""
    if len(chart.drawn) < 2:
        return [], 0
    parts, x, line = [], LEFT, 0
    for index, name in enumerate(chart.drawn):
        width = 22 + 8 * len(name)  # 13-pixel sans-serif: about 8 pixels a character, to be safe
        if x + width > WIDTH and x > LEFT:
            x, line = LEFT, line + 1
        colour = COLOURS[index % len(COLOURS)]
        top = y + line * LEGEND_LINE
        parts.append(f'<rect x="{x}" y="{top - 10}" width="11" height="11" fill="{colour}"/>')
        parts.append(f'<text x="{x + 15}" y="{top}" class="legend">{escape(name)}</text>')
        x += width
    return parts, (line + 1) * LEGEND_LINE


def _time_axis(chart: Chart, max_value: float, plot_width: float) -> list[str]:
    parts = []
    for fraction in (0, 0.5, 1):
        y = TOP + PLOT_HEIGHT * (1 - fraction)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_width}" y1="{y}" y2="{y}" class="grid"/>')
        parts.append(
            f'<text x="{LEFT - 4}" y="{y + 4}" class="axis" text-anchor="end">'
            f"{escape(_axis_label(chart, max_value * fraction))}</text>"
        )
    count = len(chart.rows)
    every = max(1, -(-count // 6))  # at most six labels under the axis
    step = plot_width / max(count, 1)
    for index, (category, _values) in enumerate(chart.rows):
        if index % every == 0:
            x = LEFT + step * (index + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{TOP + PLOT_HEIGHT + 16}" class="axis" text-anchor="middle">'
                f"{escape(category[5:] if len(category) == 10 else category)}</text>"
            )
    return parts


def columns(chart: Chart) -> Markup:
    """Vertical bars over time; several series stack."""
    plot_width = WIDTH - LEFT - 8
    max_value = _scale_max(chart, stacked=True)
    step = plot_width / max(len(chart.rows), 1)
    bar = max(step * 0.8, 1)
    body = _time_axis(chart, max_value, plot_width)
    for index, (category, values) in enumerate(chart.rows):
        base = 0.0
        for series_index, name in enumerate(chart.drawn):
            value = values[series_index] or 0
            if not value:
                continue
            height = PLOT_HEIGHT * value / max_value
            y = TOP + PLOT_HEIGHT * (1 - (base + value) / max_value)
            colour = COLOURS[series_index % len(COLOURS)]
            body.append(
                f'<rect x="{LEFT + step * index + (step - bar) / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{height:.1f}" fill="{colour}">{_mark_title(chart, category, name, value)}</rect>'
            )
            base += value
    legend, height = _legend(chart, TOP + PLOT_HEIGHT + BOTTOM - 4)
    return _frame(chart, TOP + PLOT_HEIGHT + BOTTOM - 12 + height, body + legend)


def lines(chart: Chart) -> Markup:
    """One line per series over time; a missing value (no data that day or week) breaks the line."""
    plot_width = WIDTH - LEFT - 8
    max_value = _scale_max(chart, stacked=False)
    step = plot_width / max(len(chart.rows), 1)
    body = _time_axis(chart, max_value, plot_width)
    for series_index, name in enumerate(chart.drawn):
        colour = COLOURS[series_index % len(COLOURS)]
        segment: list[str] = []
        points = []
        for index, (category, values) in enumerate(chart.rows):
            value = values[series_index]
            if value is None:
                if len(segment) > 1:
                    points.append(segment)
                segment = []
                continue
            x = LEFT + step * (index + 0.5)
            y = TOP + PLOT_HEIGHT * (1 - value / max_value)
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"{_mark_title(chart, category, name, value)}</circle>"
            )
        if len(segment) > 1:
            points.append(segment)
        for run in points:
            body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>')
    legend, height = _legend(chart, TOP + PLOT_HEIGHT + BOTTOM - 4)
    return _frame(chart, TOP + PLOT_HEIGHT + BOTTOM - 12 + height, body + legend)


def bars(chart: Chart) -> Markup:
    """Horizontal bars, one row per category (articles, questions, languages, ages), the first series; each
    row's label on the line above its bar."""
    max_value = _scale_max(chart, stacked=False)
    plot_width = WIDTH - 70
    body = []
    for index, (category, values) in enumerate(chart.rows):
        y = 4 + index * BAR_ROW
        label = category if len(category) <= 60 else category[:59] + "…"
        value = values[0] or 0
        width = plot_width * value / max_value if max_value else 0
        body.append(f'<text x="2" y="{y + 13}" class="axis">{escape(label)}</text>')
        body.append(
            f'<rect x="2" y="{y + 18}" width="{max(width, 1):.1f}" height="14" '
            f'fill="{COLOURS[0]}">{_mark_title(chart, category, chart.drawn[0], values[0])}</rect>'
        )
        body.append(f'<text x="{width + 8:.1f}" y="{y + 30}" class="axis">{escape(chart.shown(values[0]))}</text>')
    return _frame(chart, 8 + BAR_ROW * max(len(chart.rows), 1), body)


def draw(chart: Chart) -> Markup:
    return {"columns": columns, "lines": lines, "bars": bars}[chart.kind](chart)
