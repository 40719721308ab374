"""A digest reaches its channel once per slot with real workers: three ``greenroom worker``
processes on PostgreSQL, and after downtime (the newest missed slot late, older ones
skipped and logged)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.capabilities import job_registry
from bot.loopback.slack import LoopbackSlack
from catalog.sync import sync_catalog
from catalog.tech_migrations import evaluate_configured
from commands.migrations.subscriptions import DIGEST_KIND, subscription_key
from jobs import JobRegistry, Worker, add_schedule
from jobs.runs import claim_slot, finish_run
from runtime.process import Runtime
from slackkit.tables import digest_posts
from tests.commands.migrations.migration_company import MIGRATION, slack_environ, write_migrations
from tests.jobs.conftest import (
    WorkerProcess,
    eventually,
    live_workers,
    make_runtime,
    runs,
    write_config,
)

CHANNEL = "C0LEADERS"
KEY = subscription_key(CHANNEL, MIGRATION)


@pytest.fixture
def slack() -> Iterator[LoopbackSlack]:
    with LoopbackSlack() as api:
        yield api


def prepared(database_url: str, tmp_path: Path) -> tuple[dict[str, Any], Runtime]:
    """The company synced and evaluated, so a digest has a leaderboard to post."""
    config = write_migrations(tmp_path)
    runtime = make_runtime(database_url, tmp_path, config=config)
    sync_catalog(runtime.engine, runtime.sources())
    evaluate_configured(
        runtime.engine, runtime.settings.migrations, base_dir=tmp_path, now=datetime.now(UTC)
    )
    return config, runtime


def posted(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(digest_posts).order_by(digest_posts.c.slot)).all())


def test_three_worker_processes_post_each_digest_exactly_once(
    database_url: str,
    tmp_path: Path,
    slack: LoopbackSlack,
    spawn_worker: Callable[..., WorkerProcess],
) -> None:
    config, runtime = prepared(database_url, tmp_path)
    engine = runtime.engine
    # a digest every 10 seconds (Slack refuses subscriptions this frequent; the worker's own
    # schedules do not), so that slots fire while all three workers run
    digest = {
        "kind": DIGEST_KIND,
        "when": "every 10s",
        "params": {"channel": CHANNEL, "subject": MIGRATION, "subscription": KEY},
    }
    schedules = {"digest": digest, "housekeeping": "off", "migrations.nudges": "off"}
    path = write_config(tmp_path, database_url, extra=config, schedules=schedules)
    workers = [spawn_worker(path, slack_environ(slack)) for _ in range(3)]
    eventually(lambda: live_workers(engine) == 3, timeout=120)
    all_up = datetime.now(UTC)

    def complete_after_all_up() -> list[Any]:
        return [
            p
            for p in posted(engine)
            if p.state == "complete" and p.slot.replace(tzinfo=UTC) > all_up
        ]

    eventually(complete_after_all_up, timeout=90)
    assert [w.terminate() for w in workers] == [0, 0, 0]

    slots = posted(engine)
    messages = slack.calls("chat.postMessage")
    assert all(m.ok and m.args["channel"] == CHANNEL for m in messages)
    assert len(messages) == len(slots) >= 1  # one message per slot, however many workers
    assert {p.state for p in slots} == {"complete"}
    charts = Counter(c.args["thread_ts"] for c in slack.calls("files.completeUploadExternal"))
    assert charts == Counter(p.ts for p in slots)  # one chart in each digest's thread
    succeeded = runs(engine, schedule_id="digest", status="succeeded")
    assert sorted(r.slot for r in succeeded) == [p.slot for p in slots]
    runtime.engine.dispose()


def test_after_downtime_the_newest_missed_slot_is_posted_once_late_older_ones_skipped(
    database_url: str,
    tmp_path: Path,
    slack: LoopbackSlack,
    start_worker: Callable[..., Worker],
    caplog: pytest.LogCaptureFixture,
) -> None:
    config, runtime = prepared(database_url, tmp_path)
    now = datetime.now(UTC)
    # hourly at the minute of half an hour ago: the newest slot is ~30 minutes old, within the
    # digest's one-hour grace; the two before it are not
    newest = (now - timedelta(minutes=30)).replace(second=0, microsecond=0)
    last_run = newest - timedelta(hours=3)
    add_schedule(
        runtime.engine,
        key=KEY,
        kind=DIGEST_KIND,
        when=f"{newest.minute} * * * *",
        timezone="UTC",
        params={"channel": CHANNEL, "subject": MIGRATION},
        created_by="U0ALICE",
        now=last_run - timedelta(minutes=5),
    )
    claim = claim_slot(
        runtime.engine,
        schedule_id=f"db:{KEY}",
        slot=last_run,
        kind=DIGEST_KIND,
        params={},
        trigger="schedule",
        worker_id="gone",
        now=last_run,
    )
    assert claim.run is not None
    finish_run(runtime.engine, claim.run.id, status="succeeded", now=last_run)
    registry = JobRegistry()
    registry.add(job_registry().get(DIGEST_KIND))

    with caplog.at_level(logging.INFO, logger="greenroom.worker"):
        worker = start_worker(registry, config=config, environ=slack_environ(slack))
        [late] = eventually(
            lambda: runs(
                worker.engine, schedule_id=f"db:{KEY}", trigger="catch-up", status="succeeded"
            ),
            timeout=60,
        )
    assert late.slot.replace(tzinfo=UTC) == newest
    skipped = runs(worker.engine, schedule_id=f"db:{KEY}", status="skipped")
    assert [r.slot.replace(tzinfo=UTC) for r in skipped] == [
        newest - timedelta(hours=2),
        newest - timedelta(hours=1),
    ]
    assert all("no worker was running" in r.error for r in skipped)
    assert f"db:{KEY}: skipped 2 missed slot(s)" in caplog.text
    assert f"db:{KEY}: running missed slot {newest.isoformat()} late" in caplog.text
    [message] = slack.calls("chat.postMessage")
    assert message.args["channel"] == CHANNEL
    assert [(p.slot.replace(tzinfo=UTC), p.state) for p in posted(runtime.engine)] == [
        (newest, "complete")
    ]
    runtime.engine.dispose()
