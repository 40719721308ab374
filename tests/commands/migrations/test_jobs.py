"""The tech-migration jobs: ``migrations.evaluate`` after every sync, ``migrations.digest``
posting a leaderboard with its chart once per slot (retries included), the digest schedules
(greenroom.yaml and Slack, in their time zones), and ``migrations.nudges``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select

from bot.block_text import render_text
from bot.capabilities import job_registry
from bot.loopback.slack import Call, LoopbackSlack
from catalog.errors import ConfigError, GreenroomError
from catalog.sync import sync_catalog
from catalog.tech_migrations import evaluate_configured, migration_progress
from commands.migrations.digest_posts import DigestNotPosted
from commands.migrations.jobs import (
    MIGRATIONS_EVALUATE,
    run_digest,
    run_evaluate,
    run_nudges,
)
from commands.migrations.subscriptions import DIGEST_KIND, subscribe, subscription_key
from commands.sync.jobs import run_catalog_sync
from jobs import (
    JobKind,
    JobRegistry,
    RetryPolicy,
    Worker,
    list_schedules,
    plan_schedules,
    request_run,
)
from jobs.fire_times import SpecTrigger
from runtime.process import Runtime
from slackkit.tables import digest_posts
from tests.commands.migrations.migration_company import (
    MIGRATION,
    slack_environ,
    write_migrations,
)
from tests.jobs.conftest import eventually, job_context, make_runtime, runs

CHANNEL = "C0LEADERS"
PARAMS = {"channel": CHANNEL, "subject": MIGRATION}
MONDAY = datetime(2027, 1, 4, 8, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def slack() -> Iterator[LoopbackSlack]:
    with LoopbackSlack() as api:
        yield api


@pytest.fixture
def company(tmp_path: Path) -> dict[str, Any]:
    """Settings of the company with the python-3-12 migration (no nudges)."""
    return write_migrations(tmp_path)


@pytest.fixture
def runtime(
    database_url: str, tmp_path: Path, company: dict[str, Any], slack: LoopbackSlack
) -> Iterator[Runtime]:
    runtime = make_runtime(database_url, tmp_path, config=company, environ=slack_environ(slack))
    sync_catalog(runtime.engine, runtime.sources())
    yield runtime
    runtime.engine.dispose()


def evaluate(runtime: Runtime, now: datetime) -> None:
    settings = runtime.settings
    evaluate_configured(runtime.engine, settings.migrations, base_dir=settings.config_dir, now=now)


def fix_dockerfiles(runtime: Runtime, *names: str) -> None:
    root = Path(runtime.settings.catalog.sources[0].path)  # type: ignore[union-attr]
    for name in names:
        (root / "repos" / name / "Dockerfile").write_text("FROM python:3.12-slim\n")


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def shown(call: Call) -> str:
    """A posted message as a person reads it."""
    return render_text({"blocks": as_json(call.args["blocks"])})


def posts(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(digest_posts).order_by(digest_posts.c.slot)).all())


# -- migrations.evaluate ------------------------------------------------------------------


def test_evaluate_runs_after_every_sync_and_reports_invalid_definitions(
    start_worker: Callable[..., Worker], tmp_path: Path, company: dict[str, Any]
) -> None:
    (tmp_path / "migrations" / "broken.yaml").write_text("id: Not An Id\ntitle: x\n")
    real = job_registry()
    [hook] = [h for h in real.after_sync_hooks if h.kind == MIGRATIONS_EVALUATE]
    assert hook.only_if_changed is False  # a Dockerfile changes without any entity changing
    registry = JobRegistry()
    registry.add(JobKind("catalog.sync", run_catalog_sync))
    registry.add(real.get(MIGRATIONS_EVALUATE))
    registry.after_sync(MIGRATIONS_EVALUATE, only_if_changed=False)
    worker = start_worker(registry, config=company)

    def evaluations() -> list[Any]:
        return runs(worker.engine, kind=MIGRATIONS_EVALUATE, status="succeeded")

    request_run(worker.engine, "catalog.sync", {}, requested_by="test")
    [first] = eventually(evaluations, timeout=60)
    assert first.requested_by.startswith("catalog.sync run #")
    assert first.result["evaluated"][MIGRATION] | {"changed": 0} == {
        "done": 2,
        "total": 7,
        "failing": 5,
        "errors": 0,
        "changed": 0,
    }
    problems = first.result["invalid"]
    assert problems and all("broken.yaml:1" in p for p in problems)
    assert any("id: must be lowercase" in p for p in problems)

    fix_dockerfiles(worker.runtime, "ledger")  # no entity changes, a repository file does
    request_run(worker.engine, "catalog.sync", {}, requested_by="test")
    _, second = eventually(lambda: len(evaluations()) == 2 and evaluations(), timeout=60)
    assert second.result["evaluated"][MIGRATION]["done"] == 3
    definitions = worker.runtime.settings.migrations
    assert definitions.path is not None
    progress = migration_progress(worker.engine, _definition(worker.runtime))
    assert (progress.done, progress.total) == (3, 7)


def test_evaluate_without_migrations_configured_does_nothing(
    database_url: str, tmp_path: Path
) -> None:
    runtime = make_runtime(database_url, tmp_path)
    result = run_evaluate(job_context(runtime, MIGRATIONS_EVALUATE, {}))
    assert result == {
        "evaluated": {},
        "invalid": [],
        "note": "migrations.path is not set in greenroom.yaml",
    }
    runtime.engine.dispose()


def _definition(runtime: Runtime) -> Any:
    from catalog.tech_migrations import load_migrations

    folder = runtime.settings.migrations.folder(runtime.settings.config_dir)
    return load_migrations(folder).get(MIGRATION)


# -- migrations.digest ----------------------------------------------------------------------


def test_a_digest_posts_the_leaderboard_then_its_chart_through_the_upload_flow(
    runtime: Runtime, slack: LoopbackSlack
) -> None:
    evaluate(runtime, MONDAY)
    first = run_digest(job_context(runtime, DIGEST_KIND, PARAMS, slot=MONDAY + timedelta(hours=1)))
    fix_dockerfiles(runtime, "ledger", "checkout")
    evaluate(runtime, MONDAY + timedelta(days=7))
    second = run_digest(
        job_context(runtime, DIGEST_KIND, PARAMS, slot=MONDAY + timedelta(days=7, hours=1))
    )

    assert first is not None and second is not None
    assert (first["status"], second["status"]) == ("posted", "posted")
    messages = slack.calls("chat.postMessage")
    assert [m.args["channel"] for m in messages] == [CHANNEL, CHANNEL]
    text = shown(messages[1])
    assert "Tech migration: Upgrade to Python 3.12" in text
    assert "4/7 done" in text and "deadline 2027-06-30" in text
    assert "change since 2027-01-04" in text  # the day of the previous digest
    assert "Payments Tribe" in text and "Shopping Tribe" in text
    assert messages[1].args["text"].startswith("Upgrade to Python 3.12: 57% done (4/7), +2 since")
    # the chart: the three steps of files_upload_v2, into the digest's thread
    assert [c.method for c in slack.calls() if "upload" in c.method.lower()] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ] * 2
    shared = slack.calls("files.completeUploadExternal")[1].args
    assert (shared["channel_id"], shared["thread_ts"]) == (CHANNEL, second["ts"])
    [chart_id] = [f["id"] for f in as_json(shared["files"])]
    assert slack.uploads[chart_id].startswith(PNG)
    assert [p.state for p in posts(runtime.engine)] == ["complete", "complete"]


def test_running_a_posted_slot_again_posts_nothing(runtime: Runtime, slack: LoopbackSlack) -> None:
    evaluate(runtime, MONDAY)
    slot = MONDAY + timedelta(hours=1)
    posted = run_digest(job_context(runtime, DIGEST_KIND, PARAMS, slot=slot))
    again = run_digest(job_context(runtime, DIGEST_KIND, PARAMS, slot=slot, attempt=2))
    assert posted is not None and again is not None
    assert (posted["status"], again["status"], again["ts"]) == (
        "posted",
        "already posted",
        posted["ts"],
    )
    assert len(slack.calls("chat.postMessage")) == 1
    assert len(slack.calls("files.completeUploadExternal")) == 1


def test_a_slot_whose_post_was_cut_off_is_not_posted_again(
    runtime: Runtime, slack: LoopbackSlack, caplog: pytest.LogCaptureFixture
) -> None:
    evaluate(runtime, MONDAY)
    slot = MONDAY + timedelta(hours=1)
    key = subscription_key(CHANNEL, MIGRATION)
    with runtime.engine.begin() as conn:  # an attempt killed while Slack was answering
        conn.execute(
            digest_posts.insert().values(
                subscription=key, slot=slot, state="posting", run_id=9, claimed_at=MONDAY
            )
        )
    result = run_digest(job_context(runtime, DIGEST_KIND, PARAMS, slot=slot, attempt=2))
    assert result is not None and result["status"] == "unknown"
    assert slack.calls("chat.postMessage") == []
    assert "was being posted by run #9 when it was cut off" in caplog.text


def test_when_slack_refuses_the_digest_nothing_is_claimed_and_the_retry_posts(
    runtime: Runtime, slack: LoopbackSlack
) -> None:
    evaluate(runtime, MONDAY)
    slot = MONDAY + timedelta(hours=1)
    slack.fail("chat.postMessage", error="internal_error")
    with pytest.raises(DigestNotPosted, match="Slack refused the digest for C0LEADERS"):
        run_digest(job_context(runtime, DIGEST_KIND, PARAMS, slot=slot))
    assert posts(runtime.engine) == []
    retried = run_digest(job_context(runtime, DIGEST_KIND, PARAMS, slot=slot, attempt=2))
    assert retried is not None and retried["status"] == "posted"
    assert [c.ok for c in slack.calls("chat.postMessage")] == [False, True]


def test_a_retried_run_adds_the_missing_chart_and_posts_the_digest_once(
    start_worker: Callable[..., Worker], company: dict[str, Any], slack: LoopbackSlack
) -> None:
    registry = JobRegistry()  # the real body; a retry policy fast enough for a test
    fast = RetryPolicy(attempts=2, backoff=timedelta(seconds=0.2))
    registry.add(JobKind(DIGEST_KIND, run_digest, retry=fast))
    worker = start_worker(registry, config=company, environ=slack_environ(slack))
    sync_catalog(worker.engine, worker.runtime.sources())
    evaluate(worker.runtime, datetime.now(UTC))
    slack.fail("files.completeUploadExternal", error="internal_error")

    run_id = request_run(worker.engine, DIGEST_KIND, PARAMS, requested_by="test")
    [done] = eventually(lambda: runs(worker.engine, id=run_id, status="succeeded"), timeout=60)

    assert (done.attempt, done.result["status"]) == (2, "chart added")
    [message] = slack.calls("chat.postMessage")
    [post] = posts(worker.engine)
    assert (message.ok, post.state, post.ts) == (True, "complete", done.result["ts"])
    shared = [c for c in slack.calls("files.completeUploadExternal") if c.ok]
    assert [c.args["thread_ts"] for c in shared] == [post.ts]


# -- digest schedules -----------------------------------------------------------------------


def _subscribe(runtime: Runtime) -> str:
    return subscribe(
        runtime.engine,
        runtime.settings,
        channel=CHANNEL,
        subject=MIGRATION,
        when="mon 09:00",
        timezone="Europe/Berlin",
        created_by="U0ALICE",
        subjects=[MIGRATION],
    ).key


def test_a_digest_in_a_named_time_zone_fires_at_the_right_utc_instant_across_dst(
    runtime: Runtime,
) -> None:
    _subscribe(runtime)
    plan = plan_schedules(job_registry(), runtime.settings, list_schedules(runtime.engine))
    planned = plan.get(f"db:digest:{CHANNEL}:{MIGRATION}")
    assert planned is not None and planned.kind == DIGEST_KIND
    assert planned.params == PARAMS
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start(paused=True)
    try:
        for frozen, expected in [
            ("2026-03-20 12:00", "2026-03-23 08:00"),  # CET: UTC+1
            ("2026-03-27 12:00", "2026-03-30 07:00"),  # after the spring change: UTC+2
            ("2026-10-24 12:00", "2026-10-26 08:00"),  # after the autumn change: UTC+1 again
        ]:
            moment = datetime.strptime(frozen + " +0000", "%Y-%m-%d %H:%M %z")
            with time_machine.travel(moment, tick=False):
                job = scheduler.add_job(
                    print, trigger=SpecTrigger(planned.spec, planned.zone), id="probe"
                )
                assert job.next_run_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M") == expected
                job.remove()
    finally:
        scheduler.shutdown(wait=False)


def test_digests_in_greenroom_yaml_become_schedules_in_their_time_zone(
    database_url: str, tmp_path: Path, company: dict[str, Any]
) -> None:
    digests = [
        {"channel": CHANNEL, "subject": MIGRATION, "when": "mon 09:00", "timezone": "Asia/Tokyo"},
        {"channel": CHANNEL, "subject": "catalog-quality", "when": "fri 16:00"},
    ]
    config = company | {"migrations": company["migrations"] | {"digests": digests}}
    runtime = make_runtime(database_url, tmp_path, config=config, timezone="Europe/Berlin")
    plan = plan_schedules(job_registry(), runtime.settings)
    tokyo = plan.get(f"digest:{CHANNEL}:{MIGRATION}")
    quality = plan.get(f"digest:{CHANNEL}:catalog-quality")
    assert tokyo is not None and quality is not None
    assert (tokyo.zone.key, quality.zone.key) == ("Asia/Tokyo", "Europe/Berlin")
    assert tokyo.params == PARAMS | {"subscription": f"digest:{CHANNEL}:{MIGRATION}"}
    monday = tokyo.next_run(datetime(2026, 11, 20, tzinfo=UTC))
    assert monday == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
    runtime.engine.dispose()


@pytest.mark.parametrize(
    ("digests", "message"),
    [
        (
            [{"channel": CHANNEL, "subject": MIGRATION, "when": "someday"}],
            "migrations.digests[0].when: Cannot read schedule 'someday'",
        ),
        (
            [{"channel": CHANNEL, "subject": MIGRATION, "when": "every 5m"}],
            "migrations.digests[0].when: Cannot read schedule 'every 5m': a digest may be "
            "posted at most once an hour",
        ),
        (
            [
                {"channel": CHANNEL, "subject": MIGRATION, "when": "mon 09:00"},
                {"channel": CHANNEL, "subject": MIGRATION, "when": "fri 09:00"},
            ],
            "migrations.digests[1]: channel C0LEADERS already gets the python-3-12 digest "
            "(migrations.digests[0])",
        ),
    ],
)
def test_a_wrong_digest_in_greenroom_yaml_stops_the_worker_naming_the_setting(
    database_url: str, tmp_path: Path, digests: list[dict[str, str]], message: str
) -> None:
    runtime = make_runtime(database_url, tmp_path, config={"migrations": {"digests": digests}})
    with pytest.raises(ConfigError) as raised:
        plan_schedules(job_registry(), runtime.settings)
    assert message in raised.value.user_message
    runtime.engine.dispose()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"channel": "general", "when": "mon 09:00"}, "migrations.digests.0.channel"),
        ({"channel": CHANNEL, "when": "mon 09:00", "timezone": "Mars/Base"}, "Mars/Base"),
        ({"channel": CHANNEL}, "migrations.digests.0.when: Field required"),
    ],
)
def test_greenroom_yaml_digest_settings_are_checked_when_loaded(
    database_url: str, tmp_path: Path, entry: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        make_runtime(
            database_url,
            tmp_path,
            config={"migrations": {"digests": [entry | {"subject": MIGRATION}]}},
        )


# -- migrations.nudges ----------------------------------------------------------------------


@pytest.fixture
def nudged(database_url: str, tmp_path: Path, slack: LoopbackSlack) -> Iterator[Runtime]:
    """The company with nudges every 7 days to members; alice and bob are in Slack."""
    config = write_migrations(tmp_path, nudges={"interval": "7d", "send_to": "members"})
    slack.add_user("U0ALICE", email="alice@acme.example", name="Alice")
    slack.add_user("U0BOB", email="bob@acme.example", name="Bob")
    runtime = make_runtime(database_url, tmp_path, config=config, environ=slack_environ(slack))
    sync_catalog(runtime.engine, runtime.sources())
    evaluate(runtime, datetime.now(UTC))
    yield runtime
    runtime.engine.dispose()


def test_nudges_dm_each_member_once_per_interval_and_count_who_is_not_in_slack(
    nudged: Runtime, slack: LoopbackSlack
) -> None:
    from commands.migrations.nudges import send_nudges

    first = run_nudges(job_context(nudged, "migrations.nudges", {}))
    again = run_nudges(job_context(nudged, "migrations.nudges", {}))

    assert first == {
        "migrations": 1,
        "teams": 3,
        "messages": 2,
        "members_not_in_slack": 2,  # carol and dave (search-squad) have no Slack account
        "teams_without_channel": 0,
        "failed": 0,
        "retry_later": 0,  # search-squad reached nobody, but Slack refused nothing
    }
    assert again is not None and (again["teams"], again["messages"]) == (0, 0)
    opened = sorted(c.args["users"] for c in slack.calls("conversations.open"))
    assert opened == ["U0ALICE", "U0BOB"]
    dms = {c.args["channel"]: shown(c) for c in slack.calls("chat.postMessage")}
    assert sorted(dms) == ["D0ALICE", "D0BOB"]
    assert "Payments Core" in dms["D0ALICE"] and "ledger" in dms["D0ALICE"]
    assert "Dockerfile" in dms["D0ALICE"] and "at most once a week" in dms["D0ALICE"]
    assert "checkout" in dms["D0BOB"] and "ledger" not in dms["D0BOB"]

    week = datetime.now(UTC) + timedelta(days=7, minutes=1)
    later = send_nudges(nudged, _client(slack), [_definition(nudged)], now=week)
    assert (later.teams, later.messages) == (3, 2)


def test_nudges_to_channels_skip_teams_without_one(
    database_url: str, tmp_path: Path, slack: LoopbackSlack
) -> None:
    config = write_migrations(tmp_path, nudges={"interval": "1d", "send_to": "channel"})
    runtime = make_runtime(database_url, tmp_path, config=config, environ=slack_environ(slack))
    sync_catalog(runtime.engine, runtime.sources())
    evaluate(runtime, datetime.now(UTC))
    result = run_nudges(job_context(runtime, "migrations.nudges", {}))
    assert result is not None
    assert (result["messages"], result["teams_without_channel"]) == (2, 1)  # search-squad
    assert sorted(c.args["channel"] for c in slack.calls("chat.postMessage")) == [
        "C0CHECKOUT",
        "C0PAYMENTS",
    ]
    assert slack.calls("conversations.open") == []
    runtime.engine.dispose()


def test_a_nudge_slack_refused_entirely_is_sent_again_next_round_and_not_one_that_reached_someone(
    database_url: str, tmp_path: Path, slack: LoopbackSlack
) -> None:
    from commands.migrations.nudges import send_nudges

    config = write_migrations(tmp_path, nudges={"interval": "1d", "send_to": "channel"})
    runtime = make_runtime(database_url, tmp_path, config=config, environ=slack_environ(slack))
    sync_catalog(runtime.engine, runtime.sources())
    now = datetime.now(UTC)
    evaluate(runtime, now)
    slack.fail("chat.postMessage", error="channel_not_found", times=1)

    first = send_nudges(runtime, _client(slack), [_definition(runtime)], now=now)
    hour_later = send_nudges(
        runtime, _client(slack), [_definition(runtime)], now=now + timedelta(hours=1)
    )

    assert (first.messages, first.failed, first.retry_later) == (1, 1, 1)
    assert (hour_later.teams, hour_later.messages, hour_later.retry_later) == (1, 1, 0)
    delivered = [c.args["channel"] for c in slack.calls("chat.postMessage") if c.ok]
    assert sorted(delivered) == ["C0CHECKOUT", "C0PAYMENTS"]  # each team heard it once
    runtime.engine.dispose()


def _client(slack: LoopbackSlack) -> Any:
    from slack_sdk import WebClient

    return WebClient(token=slack.bot_token, base_url=slack.api_url)


def test_a_digest_whose_migration_was_deleted_is_paused_and_the_channel_told_once(
    runtime: Runtime, slack: LoopbackSlack, tmp_path: Path
) -> None:
    key = _subscribe(runtime)
    (tmp_path / "migrations" / f"{MIGRATION}.yaml").unlink()
    params = PARAMS | {"subscription": key}

    first = run_digest(job_context(runtime, DIGEST_KIND, params, slot=MONDAY))
    second = run_digest(job_context(runtime, DIGEST_KIND, params, slot=MONDAY + timedelta(7)))

    assert (first or {})["status"] == "paused" and (second or {})["status"] == "skipped"
    [notice] = slack.calls("chat.postMessage")
    assert notice.args["channel"] == CHANNEL and "digest is paused" in notice.args["text"]
    assert f"digest remove {MIGRATION}" in notice.args["text"]
    [schedule] = [s for s in list_schedules(runtime.engine) if s.key == key]
    assert not schedule.enabled
    assert posts(runtime.engine) == []


def test_a_digest_whose_definition_is_broken_fails_visibly_and_stays_subscribed(
    runtime: Runtime, slack: LoopbackSlack, tmp_path: Path
) -> None:
    key = _subscribe(runtime)
    (tmp_path / "migrations" / f"{MIGRATION}.yaml").write_text(f"id: {MIGRATION}\ntitle: x\n")

    with pytest.raises(GreenroomError):
        run_digest(job_context(runtime, DIGEST_KIND, PARAMS | {"subscription": key}, slot=MONDAY))

    assert slack.calls("chat.postMessage") == []
    assert [s.enabled for s in list_schedules(runtime.engine) if s.key == key] == [True]
