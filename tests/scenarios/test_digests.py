"""``/greenroom digest add|list|remove``: a channel subscribes to a migration's leaderboard or
the catalog-quality report, in a named time zone or the caller's Slack one; who may change
what; bad input stores nothing; and a real worker posts the subscribed digest, escaped."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from bot.block_text import render_text
from bot.capabilities import job_registry
from bot.loopback.slack import LoopbackSlack
from catalog.database import create_database_engine
from jobs import Worker, list_schedules, request_run
from runtime.process import Runtime
from runtime.settings import load_settings
from tests.jobs.conftest import FAST, eventually, runs
from tests.scenarios.conftest import ACME
from tests.scenarios.workspace import ALICE, BOB, CAROL, Workspace

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

LEADS = "C0LEADS"
PLATFORM = "C0PLATFORM"
TECHDOCS = {
    "id": "techdocs",
    "title": "Every service has TechDocs",
    "owner": "payments",
    "deadline": "2027-01-31",
    "scope": {"types": ["service"]},
    "checks": [{"type": "annotation-exists", "key": "backstage.io/techdocs-ref"}],
}
#: first among the services without docs, with Slack syntax in its title
TRAP = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: a-trap, title: "<!channel> *ping* <@U0ALICE>"}
spec: {type: service, lifecycle: production, owner: payments}
""" + "".join(
    f"""---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {{name: undocumented-{i}}}
spec: {{type: service, lifecycle: production, owner: search}}
"""
    for i in range(5)
)


@pytest.fixture
def migrations(tmp_path: Path) -> dict[str, Any]:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "techdocs.yaml").write_text(yaml.safe_dump(TECHDOCS))
    digests = [{"channel": PLATFORM, "subject": "catalog-quality", "when": "fri 16:00"}]
    return {"path": str(folder), "digests": digests}


@pytest.fixture
def ws(
    serve_greenroom: Callable[..., Workspace],
    write_catalog: Callable[[str], None],
    migrations: dict[str, Any],
) -> Workspace:
    write_catalog(ACME + TRAP)
    return serve_greenroom(config={"migrations": migrations}, admins=[CAROL])


def answer(ws: Workspace, text: str, *, user: str = ALICE, channel: str = LEADS) -> str:
    return ws.text(ws.reply(ws.command(text, user=user, channel=channel)))


def test_a_channel_subscribes_lists_and_removes_a_digest(ws: Workspace, engine: Engine) -> None:
    added = answer(ws, "digest add techdocs mon 09:00 Europe/Berlin")
    assert "will post the techdocs digest to #C0LEADS `mon 09:00` Europe/Berlin" in added
    assert "(the time zone you gave). First one: Mon" in added
    [stored] = list_schedules(engine)
    assert (stored.key, stored.kind, stored.timezone, stored.created_by) == (
        "digest:C0LEADS:techdocs",
        "migrations.digest",
        "Europe/Berlin",
        ALICE,
    )
    assert stored.params == {"channel": LEADS, "subject": "techdocs"}

    listed = answer(ws, "digest list", user=BOB)
    assert f"#{stored.id} *techdocs* `mon 09:00` Europe/Berlin · next Mon" in listed
    assert "not posted yet · added by @U0ALICE" in listed

    refused = answer(ws, "digest remove techdocs", user=BOB)
    assert "added by U0ALICE; only they or a greenroom admin can change or remove it" in refused
    assert answer(ws, "digest add techdocs fri 17:00", user=BOB).count("only they") == 1
    assert [s.expression for s in list_schedules(engine)] == ["mon 09:00"]

    changed = answer(ws, "digest add techdocs weekdays 08:30 Europe/Berlin")
    assert "now posts the techdocs digest to #C0LEADS `weekdays 08:30`" in changed
    assert [s.expression for s in list_schedules(engine)] == ["weekdays 08:30"]
    removed = answer(ws, f"digest remove #{stored.id}")
    assert "Removed the techdocs digest" in removed
    assert list_schedules(engine) == []
    assert "#C0LEADS gets no digests yet" in answer(ws, "digest list")


def test_without_a_zone_the_callers_slack_time_zone_is_used(
    ws: Workspace, slack_api: LoopbackSlack, engine: Engine
) -> None:
    slack_api.add_user(ALICE, email="alice@acme.example", name="Alice", tz="America/New_York")
    added = answer(ws, "digest add catalog-quality weekdays 08:30")
    assert "`weekdays 08:30` America/New_York (your Slack time zone)" in added
    assert "EST" in added or "EDT" in added
    without = answer(ws, "digest add techdocs mon 09:00", user=BOB)  # Slack has no tz for Bob
    assert "`mon 09:00` UTC (the worker's time zone)" in without
    zones = {s.params["subject"]: s.timezone for s in list_schedules(engine)}
    assert zones == {"catalog-quality": "America/New_York", "techdocs": None}


def test_a_greenroom_admin_may_remove_anyones_digest(ws: Workspace, engine: Engine) -> None:
    answer(ws, "digest add techdocs mon 09:00 UTC")
    assert "Removed the techdocs digest" in answer(ws, "digest remove techdocs", user=CAROL)
    assert list_schedules(engine) == []


@pytest.mark.parametrize(
    ("text", "channel", "expected"),
    [
        (
            "digest add python-2 mon 09:00",
            LEADS,
            "There is no migration 'python-2' to follow. Subjects: catalog-quality, techdocs.",
        ),
        ("digest add techdocs someday at noon", LEADS, "Cannot read schedule 'someday at noon'"),
        ("digest add techdocs mon 09:00 Mars/Base", LEADS, "Unknown time zone 'Mars/Base'"),
        ("digest add techdocs every 5m", LEADS, "a digest may be posted at most once an hour"),
        ("digest add techdocs */15 9 * * 1", LEADS, "at most once an hour"),
        ("digest add techdocs", LEADS, "Say what and when"),
        ("digest add techdocs mon 09:00", "D0ALICE", "Digests are posted to channels"),
        ("digest remove", LEADS, "Which digest?"),
        ("digest remove python-2", LEADS, "This channel has no digest 'python-2'. It has none."),
        ("digest subscribe techdocs", LEADS, "Say `digest add <migration|catalog-quality>"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_stores_nothing(
    ws: Workspace, engine: Engine, text: str, channel: str, expected: str
) -> None:
    assert expected in answer(ws, text, channel=channel)
    assert list_schedules(engine) == []


def test_digests_from_greenroom_yaml_are_listed_and_changed_only_there(
    ws: Workspace, engine: Engine
) -> None:
    listed = answer(ws, "digest list", channel=PLATFORM)
    assert "*catalog-quality* `fri 16:00` UTC · next Fri" in listed
    assert "from greenroom.yaml" in listed
    assert "comes from greenroom.yaml (migrations.digests); remove it there" in answer(
        ws, "digest remove catalog-quality", user=CAROL, channel=PLATFORM
    )
    assert "already gets the catalog-quality digest from greenroom.yaml" in answer(
        ws, "digest add catalog-quality mon 09:00", channel=PLATFORM
    )
    assert list_schedules(engine) == []


@pytest.fixture
def worker(
    database_url: str, tmp_path: Path, slack_api: LoopbackSlack, migrations: dict[str, Any]
) -> Iterator[Worker]:
    """A real worker (every job kind) posting to the loopback Slack."""
    settings = load_settings(
        None,
        environ={"SLACK_BOT_TOKEN": slack_api.bot_token, "SLACK_API_URL": slack_api.api_url},
        database_url=database_url,
        data_dir=tmp_path,
        migrations=migrations,
        worker=FAST | {"schedules": {"housekeeping": "off", "migrations.nudges": "off"}},
    )
    started = Worker(
        Runtime(settings, create_database_engine(database_url)), registry=job_registry()
    )
    started.start()
    yield started
    started.stop(grace=0)
    started.engine.dispose()


def test_the_worker_posts_a_subscribed_catalog_quality_digest_escaped(
    ws: Workspace, slack_api: LoopbackSlack, worker: Worker
) -> None:
    answer(ws, "digest add catalog-quality mon 09:00 Europe/Berlin")
    [subscription] = list_schedules(worker.engine)

    def post_now() -> dict[str, Any]:
        run_id = request_run(
            worker.engine, subscription.kind, subscription.params, requested_by="t"
        )
        [row] = eventually(
            lambda: (
                runs(worker.engine, id=run_id, status="succeeded")
                or runs(worker.engine, id=run_id, status="failed")
            ),
            timeout=60,
        )
        assert row.status == "succeeded", row.error
        call = slack_api.calls("chat.postMessage")[-1]
        assert call.args["channel"] == LEADS
        blocks = call.args["blocks"]
        return {
            "text": call.args["text"],
            "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks,
        }

    first = post_now()
    shown = render_text(first)
    assert first["text"].startswith("Catalog quality: ")
    assert "*Owned by someone not in the catalog: 1*" in shown
    assert "`component:orphan` → `group:ghosts`" in shown
    assert "vanished" in shown  # legacy-batch depends on a component that does not exist
    assert "*Services without docs: 11*" in shown and "_and 3 more_" in shown
    assert "<!channel> *ping* <@U0ALICE>" in shown  # shown as text ...
    raw = json.dumps(first["blocks"])
    assert "<!channel>" not in raw and "<@U0ALICE>" not in raw  # ... never as a ping
    assert "&lt;!channel&gt;" in raw

    second = render_text(post_now())
    assert "change since" in second
    assert "*Owned by someone not in the catalog: 1* (no change)" in second


def test_a_digest_whose_migration_was_deleted_is_marked_in_the_list(
    ws: Workspace, migrations: dict[str, Any]
) -> None:
    answer(ws, "digest add techdocs mon 09:00 UTC")
    (Path(migrations["path"]) / "techdocs.yaml").unlink()
    listed = answer(ws, "digest list")
    assert "*techdocs* `mon 09:00` UTC" in listed
    assert "no migration has this id any more" in listed
