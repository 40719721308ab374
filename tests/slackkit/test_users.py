"""Who is asking: the Slack user -> catalog User mapping and its shared cache."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, func, select

from bot.loopback.slack import LoopbackSlack
from catalog import Catalog, EntityRef
from catalog.groups import Person, users_with_email
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from slackkit.tables import slack_users
from slackkit.users import UserResolver

USERS = """
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {{name: {name}}}
spec: {{profile: {{email: alice@acme.example}}, memberOf: []}}
"""


@pytest.fixture
def slack() -> Iterator[LoopbackSlack]:
    with LoopbackSlack() as slack:
        slack.add_user("U0ALICE", email="alice@acme.example")
        yield slack


def _sync(engine: Engine, folder: Path, name: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "catalog-info.yaml").write_text(USERS.format(name=name))
    sync_catalog(engine, [DirectorySource("t", folder)])


def test_slack_is_asked_once_per_ttl_and_the_answer_is_shared(
    engine: Engine, slack: LoopbackSlack, tmp_path: Path
) -> None:
    _sync(engine, tmp_path / "c", "alice")
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    with time_machine.travel("2026-01-01 09:00", tick=False) as clock:
        first = UserResolver(engine, Catalog(engine), ttl=timedelta(minutes=60))
        second = UserResolver(engine, Catalog(engine), ttl=timedelta(minutes=60))  # another replica
        assert first.resolve(client, "T0LOOP", "U0ALICE").person is not None
        clock.shift(timedelta(minutes=59))
        assert second.resolve(client, "T0LOOP", "U0ALICE").person is not None
        assert len(slack.calls("users.info")) == 1
        clock.shift(timedelta(minutes=2))
        assert second.resolve(client, "T0LOOP", "U0ALICE").email == "alice@acme.example"
        assert len(slack.calls("users.info")) == 2
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(slack_users)).scalar() == 1


def test_a_catalog_change_remaps_without_asking_slack(
    engine: Engine, slack: LoopbackSlack, tmp_path: Path
) -> None:
    _sync(engine, tmp_path / "c", "alice")
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    resolver = UserResolver(engine, Catalog(engine), ttl=timedelta(hours=1))
    assert str(resolver.resolve(client, "T0LOOP", "U0ALICE").person.ref) == "user:default/alice"  # type: ignore[union-attr]
    _sync(engine, tmp_path / "c", "alice-renamed")
    caller = resolver.resolve(client, "T0LOOP", "U0ALICE")
    assert caller.person is not None and caller.person.ref.name == "alice-renamed"
    assert len(slack.calls("users.info")) == 1


def test_a_known_caller_is_mapped_again_after_a_catalog_change_and_slack_asked_after_the_ttl(
    engine: Engine, slack: LoopbackSlack, tmp_path: Path
) -> None:
    _sync(engine, tmp_path / "c", "alice")
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    resolver = UserResolver(engine, Catalog(engine), ttl=timedelta(minutes=60))
    with time_machine.travel("2026-01-01 09:00", tick=False) as clock:
        for _ in range(3):
            caller = resolver.resolve(client, "T0LOOP", "U0ALICE")
            assert caller.person is not None and caller.person.ref.name == "alice"
        _sync(engine, tmp_path / "c", "alice-renamed")
        caller = resolver.resolve(client, "T0LOOP", "U0ALICE")
        assert caller.person is not None and caller.person.ref.name == "alice-renamed"
        assert len(slack.calls("users.info")) == 1
        clock.shift(timedelta(minutes=61))
        resolver.resolve(client, "T0LOOP", "U0ALICE")
        assert len(slack.calls("users.info")) == 2


def test_when_slack_is_down_a_stale_answer_is_used_and_slack_asked_again(
    engine: Engine, slack: LoopbackSlack, tmp_path: Path
) -> None:
    _sync(engine, tmp_path / "c", "alice")
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    resolver = UserResolver(engine, Catalog(engine), ttl=timedelta(minutes=1))
    with time_machine.travel("2026-01-01 09:00", tick=False) as clock:
        resolver.resolve(client, "T0LOOP", "U0ALICE")
        clock.shift(timedelta(minutes=5))
        slack.fail("users.info", status=500)
        caller = resolver.resolve(client, "T0LOOP", "U0ALICE")
        assert caller.person is not None and caller.problem is None
        resolver.resolve(client, "T0LOOP", "U0ALICE")
    assert [c.status for c in slack.calls("users.info")] == [200, 500, 200]


def test_people_are_found_in_slack_by_email_once(
    engine: Engine, slack: LoopbackSlack, tmp_path: Path
) -> None:
    _sync(engine, tmp_path / "c", "alice")
    catalog = Catalog(engine)
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    resolver = UserResolver(engine, catalog, ttl=timedelta(hours=1))
    alice = users_with_email(catalog, "alice@acme.example")[0]
    ghost = Person(EntityRef("user", "default", "ghost"), "Ghost", "ghost@acme.example")
    for _ in range(2):
        assert resolver.slack_ids(client, "T0LOOP", [alice, ghost]) == {alice.ref: "U0ALICE"}
    asked = sorted(c.args["email"] for c in slack.calls("users.lookupByEmail"))  # at once
    assert asked == ["alice@acme.example", "ghost@acme.example"]


def test_people_slack_does_not_know_are_asked_about_again_only_after_the_ttl(
    engine: Engine, slack: LoopbackSlack
) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    ghost = Person(EntityRef("user", "default", "ghost"), "Ghost", "Ghost@acme.example")
    with time_machine.travel("2026-11-22 09:00Z", tick=False) as clock:
        UserResolver(engine, Catalog(engine), ttl=timedelta(hours=1)).slack_ids(
            client, "T0LOOP", [ghost]
        )
        # Another process (a replica, or this one after a restart) trusts that answer...
        other = UserResolver(engine, Catalog(engine), ttl=timedelta(hours=1))
        assert other.slack_ids(client, "T0LOOP", [ghost]) == {}
        assert len(slack.calls("users.lookupByEmail")) == 1
        # ...for an hour; then the person may have joined Slack.
        slack.add_user("U0GHOST", email="ghost@acme.example")
        clock.shift(timedelta(minutes=61))
        assert other.slack_ids(client, "T0LOOP", [ghost]) == {ghost.ref: "U0GHOST"}
    assert [c.args["email"] for c in slack.calls("users.lookupByEmail")] == [
        "ghost@acme.example",
        "ghost@acme.example",
    ]


def _members(slack: LoopbackSlack, count: int) -> list[Person]:
    """``count`` catalog people who are members of the workspace (U0P0 ... by email)."""
    team = []
    for i in range(count):
        slack.add_user(f"U0P{i}", email=f"p{i}@acme.example")
        team.append(Person(EntityRef("user", "default", f"p{i}"), f"P{i}", f"p{i}@acme.example"))
    return team


def test_a_big_team_waits_for_five_lookups_and_the_rest_happen_in_the_background(
    engine: Engine, slack: LoopbackSlack
) -> None:
    team = _members(slack, 8)
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    resolver = UserResolver(engine, Catalog(engine), ttl=timedelta(hours=1))

    first = resolver.slack_ids(client, "T0LOOP", team)

    assert first == {p.ref: f"U0P{i}" for i, p in enumerate(team[:5])}
    slack.wait_for("users.lookupByEmail", count=8, timeout=10)
    for _ in range(100):
        if resolver.idle():
            break
        time.sleep(0.05)
    assert resolver.slack_ids(client, "T0LOOP", team) == {
        p.ref: f"U0P{i}" for i, p in enumerate(team)
    }
    assert len(slack.calls("users.lookupByEmail")) == 8  # the second reply asked nobody


def test_a_reply_waits_for_its_lookups_at_once_not_one_after_the_other(
    engine: Engine, slack: LoopbackSlack
) -> None:
    team = _members(slack, 5)
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    resolver = UserResolver(engine, Catalog(engine), ttl=timedelta(hours=1))
    slack.slow("users.lookupByEmail", 1.0, times=5)

    started = time.monotonic()
    found = resolver.slack_ids(client, "T0LOOP", team)

    assert found == {p.ref: f"U0P{i}" for i, p in enumerate(team)}
    assert time.monotonic() - started < 3.0  # five seconds one after the other


def test_a_job_can_wait_for_every_lookup(engine: Engine, slack: LoopbackSlack) -> None:
    team = _members(slack, 8)
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    resolver = UserResolver(engine, Catalog(engine), ttl=timedelta(hours=1))

    found = resolver.slack_ids(client, "T0LOOP", team, wait_for=None)

    assert found == {p.ref: f"U0P{i}" for i, p in enumerate(team)}
    assert resolver.idle()


PEOPLE = """
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {{name: {name}}}
spec: {{profile: {{email: {name}@acme.example}}, memberOf: []}}
"""


def test_the_member_list_fills_the_cache_so_replies_ask_slack_nobody(
    engine: Engine, slack: LoopbackSlack, tmp_path: Path
) -> None:
    folder = tmp_path / "people"
    folder.mkdir()
    names = ["alice", "bob", "carol", "dave"]
    (folder / "catalog-info.yaml").write_text("---".join(PEOPLE.format(name=n) for n in names))
    sync_catalog(engine, [DirectorySource("t", folder)])
    slack.add_user("U0BOB", email="bob@acme.example", deleted=True)  # deactivated
    slack.add_user("U0CAROL", email="carol@acme.example", email_confirmed=False)
    slack.add_user("B0BOT", email="bot@acme.example", is_bot=True)
    for i in range(250):  # two pages of 200
        slack.add_user(f"U0X{i:03d}", email=f"x{i}@elsewhere.example")
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    catalog = Catalog(engine)
    people = {p.ref.name: p for n in names for p in users_with_email(catalog, f"{n}@acme.example")}

    learnt = UserResolver(engine, catalog, ttl=timedelta(hours=1)).learn_members(client, "T0LOOP")

    assert (learnt.members, learnt.mapped, learnt.unknown_emails) == (251, 1, 2)  # bob, dave
    assert len(slack.calls("users.list")) == 2
    other = UserResolver(engine, Catalog(engine), ttl=timedelta(hours=1))  # another replica
    found = other.slack_ids(client, "T0LOOP", [people["alice"], people["bob"], people["dave"]])
    assert found == {people["alice"].ref: "U0ALICE"}
    assert other.resolve(client, "T0LOOP", "U0ALICE").person == people["alice"]
    assert slack.calls("users.lookupByEmail") == [] and slack.calls("users.info") == []
    # an unconfirmed email maps nobody and is not "unknown": mentions still look it up
    assert other.slack_ids(client, "T0LOOP", [people["carol"]]) == {people["carol"].ref: "U0CAROL"}


def test_a_member_list_slack_refuses_fails_loudly_and_keeps_the_cache(
    engine: Engine, slack: LoopbackSlack, tmp_path: Path
) -> None:
    _sync(engine, tmp_path / "c", "alice")
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    resolver = UserResolver(engine, Catalog(engine), ttl=timedelta(hours=1))
    resolver.slack_ids(client, "T0LOOP", users_with_email(Catalog(engine), "alice@acme.example"))
    slack.fail("users.list", error="missing_scope")

    with pytest.raises(SlackApiError, match="missing_scope"):
        resolver.learn_members(client, "T0LOOP")

    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(slack_users)).scalar() == 1
