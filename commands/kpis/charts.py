"""KPI charts as PNGs: a board's daily value over both windows (left) and one bar per team
(right); and a team's small multiples, one panel per KPI with a daily series, for team pages
and the Home tab. matplotlib's object API on the Agg canvas, imported on first use, as the migration
charts do (catalog/tech_migrations/charts.py)."""

from __future__ import annotations

import io
import math
from datetime import timedelta
from typing import TYPE_CHECKING

from integrations.kpis import KpiBoard, KpiSpec, TeamKpis

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CHART_SIZE", "TEAM_CHART_SIZE", "charted_kpis", "kpi_chart", "team_chart"]

CHART_SIZE = (1000, 400)
#: The smaller chart of team pages and the Home tab.
TEAM_CHART_SIZE = (800, 320)
_DPI = 100


def kpi_chart(board: KpiBoard, *, max_bars: int = 15, size: tuple[int, int] = CHART_SIZE) -> bytes:
    """The PNG bytes of ``board``'s chart, ``size`` pixels wide and high."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(size[0] / _DPI, size[1] / _DPI), dpi=_DPI)
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    days = [d for d, _ in board.series]
    values = [v for _, v in board.series]
    if days:
        left.plot(days, values, color="#1565c0", linewidth=1.8)
        left.fill_between(days, values, color="#90caf9", alpha=0.4)
    left.set_title(f"per day ({board.window_days} vs {board.window_days} days)", fontsize=10)
    left.tick_params(axis="x", labelrotation=30, labelsize=8)
    rows = [r for r in board.rows if r.current is not None][:max_bars]
    names = [r.display_name[:24] for r in rows][::-1]
    amounts = [float(r.current or 0.0) for r in rows][::-1]
    right.barh(names, amounts, color="#ef6c00")
    right.set_title("worst first", fontsize=10)
    right.tick_params(axis="y", labelsize=8)
    figure.suptitle(f"{board.spec.title}: {board.scope}"[:90], fontsize=12)
    return _png(figure)


def charted_kpis(kpis: TeamKpis, *, most: int = 4) -> list[KpiSpec]:
    """The KPIs a team chart draws: those with a current value and a series worth a line,
    in the page's order, at most ``most`` (a panel each)."""
    return [
        spec
        for spec, reading, series in kpis.readings
        if reading.current is not None and len(series) >= 2
    ][:most]


def team_chart(kpis: TeamKpis, name: str, *, size: tuple[int, int] = TEAM_CHART_SIZE) -> bytes:
    """A panel per charted KPI (two per row): its daily value over both windows, the earlier
    window shaded, so the image stands in for every KPI's sparkline. ``size`` is one row's;
    a second row adds its height."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    charted = {spec.name for spec in charted_kpis(kpis)}
    panels = [(s, r, series) for s, r, series in kpis.readings if s.name in charted]
    columns = min(len(panels), 2) or 1
    rows = max(math.ceil(len(panels) / 2), 1)
    height = size[1] * (1 + 0.75 * (rows - 1))
    figure = Figure(figsize=(size[0] / _DPI, height / _DPI), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns, squeeze=False).flatten()
    split = kpis.day - timedelta(days=kpis.window_days)
    for ax, (spec, reading, series) in zip(axes, panels, strict=False):
        days = [d for d, _ in series]
        values = [v for _, v in series]
        ax.plot(days, values, color="#1565c0", linewidth=1.6)
        ax.fill_between(days, values, color="#90caf9", alpha=0.4)
        if min(days) < split:
            ax.axvspan(min(days), split, color="#eeeeee", zorder=0)
        ax.set_title(f"{spec.title}: {spec.format(reading.current)}"[:60], fontsize=10)
        locator = AutoDateLocator(maxticks=6)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        ax.tick_params(labelsize=7)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    figure.suptitle(
        f"{name}: last {kpis.window_days} days vs the {kpis.window_days} before (shaded)"[:90],
        fontsize=11,
    )
    return _png(figure)


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()
