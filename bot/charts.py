"""Digest charts as PNG bytes, drawn headless.

The object API (``Figure`` + the Agg canvas) and never ``pyplot``: pyplot keeps global
state and picks a GUI backend, neither of which belongs in a server process where two
digests may be drawn in worker threads at once. Matplotlib's bundled DejaVu Sans has the
Vietnamese diacritics, so no system font is needed.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from bot.exports import category_name
from config.categories import CATEGORIES
from config.texts import t

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
COLOURS = {
    "crime": "#c0392b",
    "wanted": "#8e44ad",
    "drugs": "#27ae60",
    "social_evils": "#d35400",
    "public_order": "#2980b9",
    "other": "#7f8c8d",
}


def _figure(width: float, height: float) -> Figure:
    """Matplotlib is imported on the first chart, not at start: a running bot that draws
    no chart does not carry it (tens of MB)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def tips_per_day(days: Sequence[date], counts: Mapping[tuple[str, str], int], lang: str) -> bytes:
    """Stacked bars: one bar per local day, one colour per category.

    ``counts`` maps (ISO date, category code) to a count, as
    :func:`storage.digests.daily_by_category` returns it."""
    figure = _figure(8, 4.5)
    axes = figure.subplots()
    positions = list(range(len(days)))
    bottom = [0] * len(days)
    codes = [c.code for c in CATEGORIES]
    codes += sorted({code for _, code in counts} - set(codes))
    for code in codes:
        heights = [counts.get((day.isoformat(), code), 0) for day in days]
        if not any(heights):
            continue
        axes.bar(
            positions,
            heights,
            bottom=bottom,
            label=category_name(code, lang),
            color=COLOURS.get(code, "#95a5a6"),
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(days) // 15)
    axes.set_xticks(positions[::step], [f"{d:%d/%m}" for d in days][::step])
    axes.set_ylabel(t("chart_tips", lang))
    axes.set_title(t("chart_per_day", lang))
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if any(bottom):
        axes.legend(fontsize="small", loc="upper left")
    else:
        axes.text(0.5, 0.5, t("chart_empty", lang), ha="center", transform=axes.transAxes)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    return _png(figure)


def ack_time_by_unit(seconds: Mapping[str, Sequence[float]], lang: str, top: int = 25) -> bytes:
    """Horizontal bars of the median time to acknowledge per unit, slowest first, with the
    90th percentile as a tick; only the ``top`` slowest units, so 129 communes fit a phone."""
    rows = []
    for unit, values in seconds.items():
        if not values:
            continue
        ordered = sorted(values)
        p90 = ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]
        rows.append((unit, statistics.median(ordered) / 3600, p90 / 3600))
    rows.sort(key=lambda r: (-r[1], r[0]))
    rows = rows[:top]
    rows.reverse()  # slowest on top
    figure = _figure(8, max(3.0, 0.32 * len(rows) + 1.2))
    axes = figure.subplots()
    if rows:
        positions = list(range(len(rows)))
        axes.barh(positions, [r[1] for r in rows], color="#2980b9", label=t("chart_median", lang))
        axes.scatter(
            [r[2] for r in rows],
            positions,
            marker="|",
            s=120,
            color="#c0392b",
            label=t("chart_p90", lang),
            zorder=3,
        )
        axes.set_yticks(positions, [r[0] for r in rows], fontsize="small")
        axes.legend(fontsize="small", loc="lower right")
    else:
        axes.set_yticks([])
        axes.text(0.5, 0.5, t("chart_empty", lang), ha="center", transform=axes.transAxes)
    axes.set_title(t("chart_ack", lang))
    axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return _png(figure)
