"""Run rows: a unique claim per name (one winner among many), released when the run ends,
taken over when its process died; secrets never stored."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update

from integrations.errors import NameTaken
from integrations.scaffolder import recent_runs
from integrations.scaffolder.runs import claim_run, finish_run
from integrations.scaffolder.tables import scaffold_runs

HOUR = timedelta(hours=1)


def claim(engine: Engine, name: str = "ledger", who: str = "ada@x", **values: object) -> int:
    return claim_run(
        engine,
        template="python-service",
        name=name,
        requested_by=f"user:default/{who.split('@')[0]}",
        email=who,
        trigger="test",
        values={"name": name} | values,
        stale_after=HOUR,
    )


def test_of_eight_simultaneous_claims_exactly_one_wins(engine: Engine) -> None:
    start = threading.Barrier(8)
    won: list[int] = []
    lost: list[NameTaken] = []

    def attempt(i: int) -> None:
        start.wait()
        try:
            won.append(claim(engine, who=f"user{i}@x"))
        except NameTaken as error:
            lost.append(error)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(lost) == 7
    runs = recent_runs(engine)
    assert sorted(r.status for r in runs) == ["failed"] * 7 + ["running"]
    assert all(r.error and "is creating ledger right now" in r.error for r in runs[:7] if r.error)


def test_a_finished_run_releases_its_name(engine: Engine) -> None:
    first = claim(engine)
    with pytest.raises(NameTaken):
        claim(engine, who="grace@x")
    finish_run(engine, first, status="failed", error="template broke")
    second = claim(engine, who="grace@x")
    assert second > first


def test_a_claim_left_by_a_dead_process_is_taken_over(engine: Engine) -> None:
    stale = claim(engine)
    with engine.begin() as conn:
        conn.execute(
            update(scaffold_runs)
            .where(scaffold_runs.c.id == stale)
            .values(started_at=datetime.now(UTC) - 2 * HOUR)
        )
    fresh = claim(engine, who="grace@x")
    runs = {r.id: r for r in recent_runs(engine)}
    assert runs[stale].status == "failed"
    assert runs[stale].error == "abandoned (no answer)"
    assert runs[fresh].status == "running"


def test_values_that_look_secret_are_never_stored(engine: Engine) -> None:
    claim(engine, db_password="hunter2", api_key="k-123", sentry_token="t", port="8080")
    stored = recent_runs(engine)[0].values
    assert stored == {
        "name": "ledger",
        "db_password": "***",
        "api_key": "***",
        "sentry_token": "***",
        "port": "8080",
    }
