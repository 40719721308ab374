"""Charts are real PNGs of the expected size, made without a display."""

from __future__ import annotations

import struct
from datetime import date

from catalog.refs import parse_ref
from catalog.tech_migrations import (
    GroupProgress,
    HistoryPoint,
    Leaderboard,
    MigrationProgress,
    migration_chart,
)
from catalog.tech_migrations.charts import CHART_SIZE

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def progress(history: tuple[HistoryPoint, ...]) -> MigrationProgress:
    last = history[-1] if history else HistoryPoint(date(2027, 1, 1), 0, 0)
    return MigrationProgress(
        migration_id="python",
        title="Upgrade to Python 3.12",
        owner="group:default/platform",
        deadline=date(2027, 3, 1),
        done=last.done,
        total=last.total,
        errors=0,
        evaluated_at=None,
        days_left=40,
        per_week=5.0,
        projected_finish=None,
        on_track=None,
        history=history,
    )


def board(groups: int) -> Leaderboard:
    rows = tuple(
        GroupProgress(parse_ref(f"group:squad-{i}"), f"Squad {i}", i % 10, 10, 0, i + 1, None, None)
        for i in range(groups)
    )
    return Leaderboard("python", "squad", date(2027, 1, 20), None, 40, 100, rows)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert data[-8:-4] == b"IEND"
    return width, height


def test_burn_up_and_bars_make_a_png_of_the_expected_size() -> None:
    history = tuple(HistoryPoint(date(2027, 1, d), 10 + d, 100) for d in range(1, 21))
    data = migration_chart(progress(history), board(6))
    assert png_size(data) == CHART_SIZE
    assert 15_000 < len(data) < 400_000


def test_an_unevaluated_migration_still_draws_a_chart() -> None:
    data = migration_chart(progress(()), board(0))
    assert png_size(data) == CHART_SIZE


def test_many_groups_are_cut_to_the_top_bars() -> None:
    few = migration_chart(progress((HistoryPoint(date(2027, 1, 1), 1, 2),)), board(20))
    many = migration_chart(progress((HistoryPoint(date(2027, 1, 1), 1, 2),)), board(2000))
    assert png_size(many) == CHART_SIZE
    assert abs(len(many) - len(few)) < len(few) // 2
