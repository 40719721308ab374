"""A migration's chart as PNG bytes: burn-up over time (left) and one bar per group (right).

Drawn with matplotlib's object API on the Agg canvas: no GUI, no global pyplot state, so it is
safe in a worker thread. Fixed size and fonts keep the output stable enough to test.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from catalog.tech_migrations.leaderboard import Leaderboard
from catalog.tech_migrations.progress import MigrationProgress

__all__ = ["CHART_SIZE", "migration_chart"]

#: Width and height of the chart in pixels.
CHART_SIZE = (1200, 500)
_DPI = 100
_DONE, _TOTAL, _BAR, _TRACK = "#2e7d32", "#90a4ae", "#43a047", "#e0e0e0"


def migration_chart(
    progress: MigrationProgress, board: Leaderboard, *, max_bars: int = 20
) -> bytes:
    """The burn-up of ``progress.history`` and the top ``max_bars`` rows of ``board``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(CHART_SIZE[0] / _DPI, CHART_SIZE[1] / _DPI), dpi=_DPI)
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    _burn_up(left, progress)
    _bars(right, board, max_bars)
    figure.suptitle(_short(progress.title, 90), fontsize=13)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _burn_up(axes: Any, progress: MigrationProgress) -> None:
    from matplotlib import dates

    date_axis: Any = dates  # matplotlib.dates has no type hints
    history = progress.history
    days = [p.day for p in history]
    axes.set_title(f"Burn-up: {progress.done}/{progress.total} done", fontsize=11)
    if days:
        totals, done = [p.total for p in history], [p.done for p in history]
        axes.plot(days, totals, color=_TOTAL, marker="o", markersize=3, label="in scope")
        axes.plot(days, done, color=_DONE, marker="o", markersize=3, label="done")
        axes.fill_between(days, done, color=_DONE, alpha=0.15)
        axes.legend(loc="best", fontsize=9)
        end = max(days[-1], progress.deadline or days[-1])
        axes.set_xlim(days[0] - timedelta(days=3), end + timedelta(days=3))
        axes.set_ylim(0, max(totals) * 1.1 or 1)
    else:
        axes.text(0.5, 0.5, "not evaluated yet", ha="center", va="center")
    if progress.deadline is not None and days:
        axes.axvline(progress.deadline, color="#c62828", linestyle="--", linewidth=1)
        axes.annotate(
            "deadline",
            (progress.deadline, 0),
            xytext=(3, 3),
            textcoords="offset points",
            color="#c62828",
            fontsize=8,
        )
    locator = date_axis.AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(date_axis.ConciseDateFormatter(locator))
    axes.grid(axis="y", alpha=0.3)
    axes.tick_params(axis="x", labelsize=8)


def _bars(axes: Any, board: Leaderboard, max_bars: int) -> None:
    rows = board.rows[:max_bars]
    hidden = len(board.rows) - len(rows)
    more = f" (top {len(rows)} of {len(board.rows)})" if hidden else ""
    axes.set_title(f"By {board.level}{more}", fontsize=11)
    names = [_short(r.display_name, 24) for r in reversed(rows)]
    values = [r.percent for r in reversed(rows)]
    positions = list(range(len(rows)))
    axes.barh(positions, [100.0] * len(rows), color=_TRACK)
    axes.barh(positions, values, color=_BAR)
    for y, value in zip(positions, values, strict=True):
        axes.text(min(value, 88) + 1, y, f"{value:.0f}%", va="center", fontsize=8)
    axes.set_yticks(positions, names, fontsize=8)
    axes.set_xlim(0, 100)
    axes.set_xlabel("% done")
    if not rows:
        axes.text(50, 0, "no groups with entities in scope", ha="center", va="center")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
