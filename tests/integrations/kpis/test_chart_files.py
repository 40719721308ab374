"""Team KPI chart rows: one upload per team and readings fingerprint, claimed by one caller,
a dead claim or an old failure taken over, older generations forgotten once a new one is up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from catalog import EntityRef
from integrations.kpis import (
    BUILT_IN_KPIS,
    GroupReading,
    TeamKpis,
    chart_file,
    claim_chart,
    claimable,
    finish_chart,
    readings_fingerprint,
)

TEAM = EntityRef("group", "default", "payments")


def kpis(current: float) -> TeamKpis:
    reading = GroupReading(TEAM, "Payments", current, 10.0, 1, 1, ())
    series = ((date(2026, 12, 1), 10.0), (date(2026, 12, 2), current))
    return TeamKpis(TEAM, date(2026, 12, 2), 30, ((BUILT_IN_KPIS["cost"], reading, series),))


def test_the_same_readings_have_the_same_fingerprint_and_new_ones_another() -> None:
    assert readings_fingerprint(kpis(12.0)) == readings_fingerprint(kpis(12.0))
    assert readings_fingerprint(kpis(12.0)) != readings_fingerprint(kpis(13.0))


def test_a_chart_is_claimed_once_then_ready(engine: Engine) -> None:
    first = readings_fingerprint(kpis(12.0))

    assert chart_file(engine, TEAM, first) is None
    assert claim_chart(engine, TEAM, first)
    assert not claim_chart(engine, TEAM, first)
    finish_chart(engine, TEAM, first, file_id="F0CHART1")

    found = chart_file(engine, TEAM, first)
    assert found is not None and (found.state, found.file_id) == ("ready", "F0CHART1")
    assert not claim_chart(engine, TEAM, first, now=datetime.now(UTC) + timedelta(days=2))


def test_a_dead_claim_and_an_old_failure_are_taken_over(engine: Engine) -> None:
    fingerprint = readings_fingerprint(kpis(12.0))
    now = datetime.now(UTC)
    assert claim_chart(engine, TEAM, fingerprint, now=now)

    assert not claim_chart(engine, TEAM, fingerprint, now=now + timedelta(minutes=1))
    assert claim_chart(engine, TEAM, fingerprint, now=now + timedelta(minutes=6))

    finish_chart(engine, TEAM, fingerprint, problem="missing_scope:files:write")
    found = chart_file(engine, TEAM, fingerprint)
    assert found is not None and (found.state, found.problem) == (
        "failed",
        "missing_scope:files:write",
    )
    assert not claimable(found, now=found.at + timedelta(minutes=30))
    assert not claim_chart(engine, TEAM, fingerprint, now=found.at + timedelta(minutes=30))
    assert claimable(found, now=found.at + timedelta(hours=2))
    assert claim_chart(engine, TEAM, fingerprint, now=found.at + timedelta(hours=2))


def test_a_new_generation_replaces_the_old_one_once_uploaded(engine: Engine) -> None:
    old, new = readings_fingerprint(kpis(12.0)), readings_fingerprint(kpis(13.0))
    claim_chart(engine, TEAM, old)
    finish_chart(engine, TEAM, old, file_id="F0OLD")
    claim_chart(engine, TEAM, new)

    assert chart_file(engine, TEAM, old) is not None  # kept until the new one is up
    finish_chart(engine, TEAM, new, file_id="F0NEW")

    assert chart_file(engine, TEAM, old) is None
