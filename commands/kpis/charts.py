"""A KPI board as a small PNG: the daily value over both windows (left) and one bar per team
(right). matplotlib's object API on the Agg canvas, imported on first use, as the migration
charts do (catalog/tech_migrations/charts.py)."""

from __future__ import annotations

import io

from integrations.kpis import KpiBoard

__all__ = ["CHART_SIZE", "TEAM_CHART_SIZE", "kpi_chart"]

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
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()
