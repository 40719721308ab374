"""``/greenroom migrations``, a migration's leaderboard (with its chart posted through the
three-step upload), ``mine`` and the Home tab's open items: the real server and Bolt app on
the example company (Globex), evaluated the way the worker does (``evaluate_configured``)
a week ago and today, with one service fixed in between."""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine

from bot.loopback.slack import LoopbackSlack
from catalog.tech_migrations import (
    MigrationsSettings,
    evaluate_configured,
    load_migrations,
    migration_progress,
)
from catalog.tech_migrations.charts import CHART_SIZE
from tests.example_company import sync_example_company
from tests.scenarios.test_k8s import tokens
from tests.scenarios.workspace import NOBODY, Workspace

TOM = "U0TOM"  # tom.becker: Payments Core and Checkout squad (Payments tribe)
DANIEL = "U03DOKAFOR4"  # daniel.okafor: Payments Core and the Payments tribe itself
SAM = "U0SAM"  # sam.taylor: a new hire on no team
PEOPLE = {
    TOM: "tom.becker@globex.example",
    DANIEL: "daniel.okafor@globex.example",
    SAM: "sam.taylor@globex.example",
}
PNG = b"\x89PNG\r\n\x1a\n"
_REF = re.compile(r"component:[a-z0-9-]+")


@dataclass
class Globex:
    """The example company copied to a temp folder, synced and evaluated."""

    engine: Engine
    root: Path
    serve_greenroom: Any
    slack: LoopbackSlack

    @property
    def migrations(self) -> Path:
        return self.root / "migrations"

    def evaluate(self, now: datetime) -> None:
        settings = MigrationsSettings(path=self.migrations)
        run = evaluate_configured(self.engine, settings, base_dir=self.root, now=now)
        assert run.reports

    def serve(self) -> Workspace:
        return self.serve_greenroom(config={"migrations": {"path": str(self.migrations)}})

    def define(self, name: str, text: str) -> None:
        (self.migrations / name).write_text(text, encoding="utf-8")

    def progress(self, migration_id: str) -> Any:
        definition = load_migrations(self.migrations).get(migration_id)
        return migration_progress(self.engine, definition, today=today())


def today() -> date:
    return datetime.now(UTC).date()


def days_left(deadline: str) -> str:
    """How the deadline reads today ("deadline 2027-03-31 (129 days left)")."""
    days = (date.fromisoformat(deadline) - today()).days
    if days > 0:
        left = f"{days} day{'s' if days != 1 else ''} left"
    elif days == 0:
        left = "due today"
    else:
        left = f"{-days} day{'s' if days != -1 else ''} overdue"
    return f"deadline {deadline} ({left})"


@pytest.fixture
def globex(
    engine: Engine,
    tmp_path: Path,
    examples_dir: Path,
    serve_greenroom: Any,
    slack_api: LoopbackSlack,
) -> Globex:
    """Evaluated 8 days ago; then payments-api moved to Python 3.12; evaluated again now."""
    root = tmp_path / "globex"
    shutil.copytree(examples_dir / "catalog", root / "catalog")
    shutil.copytree(examples_dir / "migrations", root / "migrations")
    report = sync_example_company(engine, root)
    assert report.status == "ok"
    for user_id, email in PEOPLE.items():
        slack_api.add_user(user_id, email=email, name=email.split(".")[0].capitalize())
    company = Globex(engine, root, serve_greenroom, slack_api)
    company.evaluate(datetime.now(UTC) - timedelta(days=8))
    repo = root / "catalog" / "repos" / "payments-api"
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('">=3.11"', '">=3.12"'))
    dockerfile = repo / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("python:3.11", "python:3.12"))
    company.evaluate(datetime.now(UTC))
    return company


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def board_rows(text: str) -> list[str]:
    """The leaderboard lines (rank, name, bar, percent, done/total, change) without the bar."""
    rows = [line for line in lines_of(text) if re.match(r"^(#\d+|:\w+_place_medal:) ", line)]
    return [re.sub(r"`[█░]+` ", "", row) for row in rows]


def wait_chart(ws: Workspace, count: int = 1) -> tuple[dict[str, Any], bytes]:
    """The completed upload (files.completeUploadExternal's arguments) and its bytes."""
    done = ws.slack.wait_for("files.completeUploadExternal", count=count)
    args = done[count - 1].args
    files = args["files"]
    files = files if isinstance(files, list) else __import__("json").loads(files)
    return args, ws.slack.uploads[files[0]["id"]]


# -- the overview ------------------------------------------------------------------------
def test_overview_shows_every_migration_with_its_numbers_deadline_and_trend(
    globex: Globex,
) -> None:
    ws = globex.serve()

    reply = ws.ask("migrations", user=TOM)

    text = ws.text(reply)
    assert "Tech migrations" in text
    order = [text.index(f"`{i}`") for i in ("kubernetes-id", "techdocs", "python-3-12")]
    assert order == sorted(order)  # soonest deadline first
    assert "`█████████░` *90%* · 19/21 done · " + days_left("2026-12-31") in text
    assert "`██████░░░░` *62%* · 15/24 done · " + days_left("2027-01-31") in text
    assert "`█████░░░░░` *45%* · 10/22 done · " + days_left("2027-03-31") in text
    python = globex.progress("python-3-12")
    assert python.on_track is not None and python.projected_finish is not None
    verdict = "on track" if python.on_track else "behind"
    assert f"{verdict} (est. {python.projected_finish})" in text
    assert text.count("behind (no progress trend)") == 2  # the other two did not move
    assert "Docs live next to the code." in text
    assert ws.buttons(reply) == ["Share in channel"]
    assert not ws.slack.calls("files.getUploadURLExternal")  # no chart for the overview


# -- a leaderboard ---------------------------------------------------------------------------
def test_leaderboard_by_tribe_ranks_highlights_my_tribe_and_posts_the_chart(
    globex: Globex,
) -> None:
    ws = globex.serve()

    sent = ws.command("migrations python-3-12", user=TOM, channel="C0PAYMENTS")
    reply = ws.reply(sent)

    assert sent.seconds < 1.5  # acked before anything was drawn or uploaded
    text = ws.text(reply)
    week_ago = (datetime.now(UTC) - timedelta(days=8)).date().isoformat()
    assert f"*By tribe* (3, change since {week_ago})" in text
    assert board_rows(text) == [
        ":first_place_medal: :point_right: *Payments tribe* _(your tribe)_ · 56% · 5/9 · +11.1 pts",
        ":second_place_medal: *Shopping tribe* · 44% · 4/9 · ±0",
        "#3 *Platform tribe* · 0% · 0/3 · ±0",
    ]
    assert "`█████░░░░░` *45%* · 10/22 done · +1 done since " + week_ago in text
    assert ":point_right: *Payments tribe* is #1 of 3 (56%)" in text
    # My teams' entities and the checks they fail, linked to their repositories.
    assert "*Checkout squad* `group:checkout-squad`: 1/2 done, *1 left*" in text
    assert "*Payments Core* `group:payments-core`: 3/5 done, *2 left*" in text
    raw = str(reply["blocks"])
    assert "<https://github.com/globex/checkout/tree/main/|Checkout>" in raw
    assert (
        "component:disputes-service` — pyproject.toml requires Python 3.12; "
        "Dockerfile uses a python:3.12 base image"
    ) in text
    assert "payments-api" not in text  # fixed since
    assert ":bar_chart: The chart (burn-up and one bar per group) is posted in this channel." in (
        text
    )
    # The chart: getUploadURLExternal, the bytes to its upload_url, completeUploadExternal.
    args, png = wait_chart(ws)
    steps = [c.method for c in ws.slack.calls() if c.method.startswith(("files.", "upload"))]
    assert steps == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    assert args["channel_id"] == "C0PAYMENTS"
    assert "Upgrade to Python 3.12: by tribe" in str(args["files"])
    assert png.startswith(PNG)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == CHART_SIZE
        image.verify()


def test_sharing_the_board_posts_it_without_a_second_chart(globex: Globex) -> None:
    ws = globex.serve()
    reply = ws.ask("migrations techdocs", user=TOM)
    wait_chart(ws)

    shared = ws.reply(ws.click(reply, "Share in channel", user=TOM))

    assert shared["response_type"] == "in_channel"
    assert "*By tribe*" in ws.text(shared) and "Shared by <@U0TOM>" in str(shared["blocks"])
    assert len(ws.slack.calls("files.getUploadURLExternal")) == 1


def test_a_mention_in_a_thread_gets_the_board_privately_and_the_chart_in_the_thread(
    globex: Globex,
) -> None:
    ws = globex.serve()

    ws.mention("migrations techdocs --by squad", user=TOM, channel="C0PAYMENTS", thread_ts="1.2")

    call = ws.slack.wait_for("chat.postEphemeral")[0]
    assert call.args["user"] == TOM and call.args["thread_ts"] == "1.2"
    text = ws.text(call.args)
    assert (
        "*By squad*" in text
        and "The chart (burn-up and one bar per group) is posted in this thread." in text
    )
    args, png = wait_chart(ws)
    assert (args["channel_id"], args["thread_ts"]) == ("C0PAYMENTS", "1.2")
    assert png.startswith(PNG)


def test_leaderboard_by_squad_ranks_ties_together(globex: Globex) -> None:
    ws = globex.serve()

    text = ws.text(ws.ask("migrations python-3-12 --by squad", user=TOM))

    assert board_rows(text) == [
        ":first_place_medal: *Storefront squad* · 100% · 1/1 · ±0",
        ":second_place_medal: *Catalog squad* · 67% · 2/3 · ±0",
        ":third_place_medal: :point_right: *Payments Core* _(your squad)_ · 60% · 3/5 · +20.0 pts",
        "#4 :point_right: *Checkout squad* _(your squad)_ · 50% · 1/2 · ±0",
        "#4 *Fraud squad* · 50% · 1/2 · ±0",
        "#6 *Orders squad* · 33% · 1/3 · ±0",
        "#6 *Search squad* · 33% · 1/3 · ±0",
        "#8 *Developer Experience* · 0% · 0/2 · ±0",
        "#8 *Data squad* · 0% · 0/1 · ±0",
    ]
    args, png = wait_chart(ws)
    assert "by squad" in str(args["files"]) and png.startswith(PNG)


def test_techdocs_leaderboard_has_its_own_numbers(globex: Globex) -> None:
    ws = globex.serve()

    text = ws.text(ws.ask("migrations techdocs", user=SAM))

    assert board_rows(text) == [
        ":first_place_medal: *Shopping tribe* · 70% · 7/10 · ±0",
        ":second_place_medal: *Platform tribe* · 67% · 2/3 · ±0",
        ":third_place_medal: *Payments tribe* · 60% · 6/10 · ±0",
    ]
    assert "your tribe" not in text and "Your teams" not in text  # Sam is on no team


def test_an_unknown_level_is_a_clear_error(globex: Globex) -> None:
    ws = globex.serve()

    text = ws.text(ws.ask("migrations techdocs --by guild", user=TOM))

    assert "No groups at level 'guild'." in text
    assert "Group types in the catalog: organisation, squad, tribe." in text
    assert "Usage: `/greenroom migrations [<id> [--by tribe|squad] | <id> mine]`" in text


# -- mine ----------------------------------------------------------------------------------
def test_mine_lists_exactly_my_teams_entities_and_failing_checks(globex: Globex) -> None:
    ws = globex.serve()

    reply = ws.ask("migrations python-3-12 mine", user=TOM)

    text = ws.text(reply)
    assert "Upgrade to Python 3.12: your teams" in text
    assert "*3 left* across your teams" in text
    assert set(_REF.findall(text)) == {
        "component:checkout",
        "component:disputes-service",
        "component:payment-gateway-adapter",
    }
    assert "*Checkout squad* `group:checkout-squad` `█████░░░░░` 50% · 1/2 done, 1 left" in text
    assert "*Payments Core* `group:payments-core` `██████░░░░` 60% · 3/5 done, 2 left" in text
    pyproject = r'`pyproject.toml does not match /requires-python\s*=\s*">=3\.12"/`'
    dockerfile = r"`Dockerfile line 1 matches /^FROM python:3\.(?:[0-9]|1[01])\b/`"
    assert (
        re.findall(r"◦ (.+)", text)
        == [
            f"pyproject.toml requires Python 3.12: {pyproject}",
            f"Dockerfile uses a python:3.12 base image: {dockerfile}",
        ]
        * 3
    )
    raw = str(reply["blocks"])
    for name in ("checkout", "disputes-service", "payment-gateway-adapter"):
        assert f"<https://github.com/globex/{name}/tree/main/|" in raw
    assert not ws.slack.calls("files.getUploadURLExternal")


def test_mine_for_someone_on_no_team_or_not_in_the_catalog(globex: Globex) -> None:
    ws = globex.serve()

    lonely = ws.text(ws.ask("migrations techdocs mine", user=SAM))
    stranger = ws.text(ws.ask("migrations techdocs mine", user=NOBODY))

    assert "You are not a member of any team in the catalog" in lonely
    assert "component:" not in lonely
    assert "I could not match you to a catalog user, so I don't know your teams" in stranger


def test_mine_when_my_teams_own_nothing_in_scope(globex: Globex) -> None:
    globex.define(
        "storefront.yaml",
        "id: storefront-only\ntitle: Storefront only\nowner: storefront-squad\n"
        "scope: {owners: [storefront-squad]}\n"
        "checks: [{type: annotation-exists, key: backstage.io/techdocs-ref}]\n",
    )
    globex.evaluate(datetime.now(UTC))
    ws = globex.serve()

    text = ws.text(ws.ask("migrations storefront-only mine", user=TOM))

    assert "Nothing owned by your teams" in text
    assert "`group:checkout-squad`" in text and "`group:payments-core`" in text


# -- the Home tab --------------------------------------------------------------------------
def test_home_shows_my_open_items_soonest_deadline_first(globex: Globex) -> None:
    ws = globex.serve()

    view = ws.open_home(TOM)

    text = ws.view_text(view)
    assert "Tech migrations: what your teams have left" in text
    section = text[text.index("Tech migrations: what your teams have left") :]
    section = section[: section.index("lists every check and reason")]
    heads = [line for line in lines_of(section) if line.startswith("*")]
    assert heads == [
        f"*Every service declares its Kubernetes id* `kubernetes-id` · "
        f"{days_left('2026-12-31')} · 1 left",
        f"*Every service has TechDocs* `techdocs` · {days_left('2027-01-31')} · 3 left",
        f"*Upgrade to Python 3.12* `python-3-12` · {days_left('2027-03-31')} · 3 left",
    ]
    items = [line for line in lines_of(section) if line.startswith("•")]
    assert len(items) == 7 and "more" not in section
    assert "— backstage.io/kubernetes-id is a Kubernetes name" in items[0]


def test_home_caps_the_items_with_and_n_more(globex: Globex) -> None:
    ws = globex.serve()

    text = ws.view_text(ws.open_home(DANIEL))  # Payments Core and the whole Payments tribe

    section = text[text.index("Tech migrations: what your teams have left") :]
    section = section[: section.index("lists every check and reason")]
    items = [line for line in lines_of(section) if line.startswith("•")]
    assert len(items) == 8
    # Payments tribe: 1 (kubernetes-id) + 4 (techdocs) + 4 (python, payments-api fixed) = 9
    assert "… and 1 more" in section


def test_home_of_someone_on_no_team_has_no_migration_section(globex: Globex) -> None:
    ws = globex.serve()

    text = ws.view_text(ws.open_home(SAM))

    assert "Tech migrations" not in text


# -- bad input -----------------------------------------------------------------------------
def test_an_unknown_id_suggests_close_ones_that_answer_when_clicked(globex: Globex) -> None:
    ws = globex.serve()

    reply = ws.ask("migrations pyhton-3-12 --by squad", user=TOM)

    assert "No migration has the id `pyhton-3-12`. Did you mean:" in ws.text(reply)
    assert ws.buttons(reply) == ["python-3-12"]
    answer = ws.reply(ws.click(reply, "python-3-12", user=TOM))
    assert "*By squad* (9, change since" in ws.text(answer)
    far = ws.text(ws.ask("migrations zzz", user=TOM))
    assert (
        "No migration has the id `zzz`. Known: `kubernetes-id`, `python-3-12`, `techdocs`." in far
    )


def test_invalid_definitions_are_listed_and_the_valid_ones_still_shown(globex: Globex) -> None:
    globex.define("broken.yaml", "id: broken\ntitle: Broken\nowner: sre-squad\nchecks: []\n")
    globex.define(
        "bad-regex.yaml",
        "id: bad-regex\ntitle: Bad\nowner: sre-squad\n"
        "checks: [{type: annotation-matches, key: a, pattern: '(unclosed'}]\n",
    )
    ws = globex.serve()

    text = ws.text(ws.ask("migrations", user=TOM))

    assert "*2 invalid definitions* (left out until fixed)" in text
    assert 'bad-regex.yaml:4: migration "bad-regex": checks[0].pattern: not a valid' in text
    assert 'broken.yaml:4: migration "broken": checks:' in text
    assert str(globex.root) not in text  # paths relative to the migrations folder
    assert "19/21 done" in text and "10/22 done" in text
    one = ws.text(ws.ask("migrations broken", user=TOM))
    assert "The definition of `broken` is invalid, so it is left out until fixed:" in one
    assert 'broken.yaml:4: migration "broken": checks:' in one


def test_hostile_titles_descriptions_and_checks_are_shown_as_text(globex: Globex) -> None:
    globex.define(
        "hostile.yaml",
        """
id: hostile
title: "<!channel> *alert* <@U0ALICE>"
description: "Ping <!here> & <@U123ABC> now <https://evil.example|click> <!subteam^S1>"
owner: payments-core
deadline: 2026-01-01
scope: {owners: [payments-core], types: [service]}
checks:
  - type: annotation-matches
    title: "<!everyone> must <#C0SECRET> match"
    key: backstage.io/kubernetes-id
    pattern: '<!channel>'
""",
    )
    globex.evaluate(datetime.now(UTC))
    ws = globex.serve()

    answers = [
        ws.ask("migrations", user=TOM),
        ws.ask("migrations hostile", user=TOM),
        ws.ask("migrations hostile --by squad", user=TOM),
        ws.ask("migrations hostile mine", user=TOM),
    ]
    home = ws.open_home(TOM)

    for payload in [*answers, home]:  # the only tokens are links to the repositories
        assert all(t.startswith("<https://github.com/globex/") for t in tokens(payload))
    overview = ws.text(answers[0])
    assert "<!channel> *alert* <@U0ALICE>" in overview
    assert "Ping <!here> & <@U123ABC> now <https://evil.example|click>" in overview
    mine = ws.text(answers[3])
    assert "<!everyone> must <#C0SECRET> match" in mine
    assert "overdue" in mine  # the deadline has passed
    assert "<!everyone> must <#C0SECRET> match" in ws.view_text(home)
    args, _ = wait_chart(ws, count=2)
    assert "<!channel> *alert* <@U0ALICE>: by squad" in str(args["files"])  # a plain file title


# -- the chart cannot be posted --------------------------------------------------------------
def test_when_the_app_is_not_in_the_channel_the_answer_says_so(globex: Globex) -> None:
    ws = globex.serve()
    ws.slack.fail("files.completeUploadExternal", error="not_in_channel")

    text = ws.text(ws.reply(ws.command("migrations techdocs", user=TOM, channel="C0ELSEWHERE")))

    assert ":first_place_medal: *Shopping tribe*" in text  # the answer is all there
    assert (
        ":warning: No chart: I am not a member of this conversation, so I could not post the "
        "chart here (Slack said not_in_channel). Invite me to the channel, or ask in a channel "
        "I am in or in my Messages tab." in text
    )


def test_in_someone_elses_direct_message_the_answer_says_so(globex: Globex) -> None:
    ws = globex.serve()
    ws.slack.fail("files.completeUploadExternal", error="channel_not_found")

    text = ws.text(ws.reply(ws.command("migrations techdocs", user=TOM, channel="D0SOMEONE")))

    assert "*By tribe*" in text
    assert "No chart: I am not a member of this direct message" in text


def test_a_failed_upload_still_returns_the_text(globex: Globex) -> None:
    ws = globex.serve()
    ws.slack.fail("upload", status=500)

    text = ws.text(ws.ask("migrations kubernetes-id", user=TOM))

    assert board_rows(text)[0] == ":first_place_medal: *Platform tribe* · 100% · 3/3 · ±0"
    assert ":warning: No chart: the chart could not be uploaded to Slack" in text
    assert not ws.slack.calls("files.completeUploadExternal")


def test_a_migration_never_evaluated_says_so_without_a_chart(globex: Globex) -> None:
    globex.define(
        "later.yaml",
        "id: later\ntitle: Later\nowner: sre-squad\n"
        "checks: [{type: annotation-exists, key: backstage.io/techdocs-ref}]\n",
    )
    ws = globex.serve()

    text = ws.text(ws.ask("migrations later", user=TOM))
    overview = ws.text(ws.ask("migrations", user=TOM))

    assert "Not evaluated yet." in text
    assert "*Later* `later`\n_not evaluated yet_ · no deadline" in overview
    assert not ws.slack.calls("files.getUploadURLExternal")
