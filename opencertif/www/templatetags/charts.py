"""Server-rendered SVG charts by month, each with the table of its numbers.

    {% load charts %}
    {% month_chart "passages" "Passages reçus par mois" trends.months trends.passages
                   "Passages reçus" line=trends.passages_ok line_label="dont OK" %}

renders an `<svg role="img">` (title and description read by screen readers), a text
legend where series differ by shape (bars, line with dots), not by colour alone, and an
accordion holding the same numbers as a table. Colours are DSFR variables, so the chart
follows the light and dark schemes.
"""

import math

from django import template

from opencertif.www.templatetags.opencertif_tags import thousands

register = template.Library()

MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
MONTH_ABBREVIATIONS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 76, 12, 14, 40
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
TICKS = 4


def month_name(key: str) -> str:
    """'2026-03' → 'mars 2026'."""
    year, month = key.split("-")
    return f"{MONTH_NAMES[int(month) - 1]} {year}"


def _short_month(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTH_ABBREVIATIONS[int(month) - 1]} {year[2:]}"


def nice_scale(maximum: int, ticks: int = TICKS) -> tuple[int, int]:
    """(step, top) of a y axis of whole numbers: step 1, 2 or 5 × 10ⁿ, top ≥ maximum."""
    if maximum <= 0:
        return 1, ticks
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    return step, step * math.ceil(maximum / step)


def _y(value: float, top: int) -> float:
    return round(TOP + PLOT_HEIGHT - value * PLOT_HEIGHT / top, 1)


@register.inclusion_tag("includes/month_chart.html")
def month_chart(
    chart_id: str,
    title: str,
    months: list[str],
    bars: list[int],
    bars_label: str,
    line: list[int] | None = None,
    line_label: str = "",
) -> dict:
    """A bar chart by month, with an optional line series (a subset of the bars, say)."""
    line = list(line) if line else []
    count = len(months)
    step, top = nice_scale(max([*bars, *line, 0]))
    band = PLOT_WIDTH / max(count, 1)
    bar_width = round(band * 0.7, 1)
    label_every = max(1, math.ceil(count / 8))
    columns = []
    for index, key in enumerate(months):
        centre = LEFT + band * index + band / 2
        value = bars[index]
        column = {
            "key": key,
            "name": month_name(key),
            "value": value,
            "line_value": line[index] if line else None,
            "centre": round(centre, 1),
            "bar_x": round(centre - bar_width / 2, 1),
            "bar_y": _y(value, top),
            "bar_height": round(value * PLOT_HEIGHT / top, 1),
            "label": _short_month(key) if index % label_every == 0 else "",
        }
        if line:
            column["line_y"] = _y(line[index], top)
        columns.append(column)
    grid = [{"y": _y(value, top), "label": thousands(value)} for value in range(0, top + 1, step)]
    points = " ".join(f"{c['centre']},{c['line_y']}" for c in columns) if line else ""
    description = ""
    if count:
        peak = max(range(count), key=lambda i: bars[i])
        description = (
            f"De {month_name(months[0])} à {month_name(months[-1])} : "
            f"{thousands(sum(bars))} au total ({bars_label.lower()}), "
            f"au plus {thousands(bars[peak])} en {month_name(months[peak])}."
        )
        if line:
            description += f" {line_label} : {thousands(sum(line))} au total."
        description += " Les données sont dans le tableau qui suit."
    return {
        "chart_id": chart_id,
        "title": title,
        "description": description,
        "bars_label": bars_label,
        "line_label": line_label,
        "has_line": bool(line),
        "columns": columns,
        "grid": grid,
        "points": points,
        "bar_width": bar_width,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_edge": WIDTH - RIGHT,
        "axis_y": TOP + PLOT_HEIGHT,
        "label_y": TOP + PLOT_HEIGHT + 22,
    }
