"""Freshness: late when the writer has not succeeded within its interval plus grace; the
dataset's own interval wins; unknown when no engine answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from catalog import parse_ref
from integrations.pipelines.freshness import format_duration, freshness_of
from integrations.pipelines.model import EngineReport, PipelineSpec

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
ORDERS = parse_ref("resource:orders")


def spec(**extra: object) -> PipelineSpec:
    return PipelineSpec(parse_ref("component:etl"), "ETL", None, writes=(ORDERS,), **extra)  # type: ignore[arg-type]


def airflow(last: datetime | None, *, every: timedelta = timedelta(hours=1)) -> EngineReport:
    return EngineReport("airflow", "airflow prod", "etl", last_success=last, interval=every)


def test_fresh_within_interval_and_grace_late_after() -> None:
    fresh = freshness_of(spec(), [airflow(NOW - timedelta(minutes=70))], now=NOW, grace=0.25)
    late = freshness_of(spec(), [airflow(NOW - timedelta(hours=3))], now=NOW, grace=0.25)

    assert not fresh[0].late
    assert late[0].late and late[0].late_by == timedelta(hours=1, minutes=45)
    assert format_duration(late[0].late_by) == "1h 45m"


def test_the_datasets_own_interval_wins() -> None:
    daily = spec(dataset_intervals=((ORDERS, timedelta(days=1)),))

    [fresh] = freshness_of(daily, [airflow(NOW - timedelta(hours=3))], now=NOW, grace=0.25)

    assert fresh.expected == timedelta(days=1) and not fresh.late


def test_unknown_when_no_engine_answered() -> None:
    silent = EngineReport("airflow", "airflow prod", "etl", error="did not answer")

    [fresh] = freshness_of(spec(), [silent], now=NOW, grace=0.25)

    assert not fresh.late and fresh.last_written is None
