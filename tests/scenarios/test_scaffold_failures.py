"""``/greenroom new`` when things go wrong: wrong values shown on their fields, templates
that fail or hang, a host that refuses the push, people who may not, two people racing for a
name, Slack's expired triggers and stale view hashes. Every failure is said in the modal and
in a message, and leaves no repository, catalog entry or run behind it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from catalog import Catalog, parse_ref
from integrations.scaffolder.tables import scaffold_runs
from tests.scenarios.scaffolding import (
    TEMPLATE_DIRS,
    git,
    open_form,
    open_modal,
    rejecting_repository,
    state,
)
from tests.scenarios.workspace import ALICE, BOB, CAROL, NOBODY, Workspace

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
Serve = Callable[..., Workspace]


def serve(
    serve_greenroom: Serve, *, admins: list[str] | None = None, **scaffolder: Any
) -> Workspace:
    return serve_greenroom(
        config={
            "scaffolder": {"template_dirs": TEMPLATE_DIRS, "time_limit_seconds": 30} | scaffolder
        },
        admins=admins or [],
    )


@pytest.fixture
def ws(serve_greenroom: Serve, acme: None) -> Workspace:
    """Bob is an admin (he lists the runs)."""
    return serve(serve_greenroom, admins=[BOB])


def runs(engine: Engine) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(scaffold_runs.c.name, scaffold_runs.c.status, scaffold_runs.c.error).order_by(
                scaffold_runs.c.id
            )
        )
        return [tuple(r) for r in rows]


def nothing_made(tmp_path: Path, catalog: Catalog, name: str = "ledger") -> None:
    assert not (tmp_path / "git" / f"{name}.git").exists()
    assert catalog.get(parse_ref(f"component:{name}")) is None
    assert list((tmp_path / "tmp" / "scaffold").iterdir()) == []


@SQLITE_ONLY
def test_wrong_values_are_shown_on_their_fields_and_nothing_runs(
    ws: Workspace, engine: Engine, tmp_path: Path
) -> None:
    view_id = open_form(ws, "python-service")
    form = ws.slack.view(view_id)
    inputs = {b["block_id"] for b in form["blocks"] if b["type"] == "input"}

    answer = ws.submit(
        view_id, state(form, name="Payments_API", description="", lifecycle="retired")
    )
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {"field:name", "field:description", "field:lifecycle"} <= inputs
    assert "lowercase letters, digits and single hyphens" in errors["field:name"]
    assert errors["field:description"] == "Description is required."
    assert "'retired' is not one of the choices for Lifecycle" in errors["field:lifecycle"]

    taken = ws.submit(view_id, state(form, name="payments-api", description="x"))
    assert taken["errors"] == {
        "field:name": "component:payments-api already exists in the catalog; choose another name."
    }
    elsewhere = tmp_path / "elsewhere"
    git("init", "-q", "--bare", str(tmp_path / "git" / "ledger.git"))
    git("init", "-q", str(elsewhere))
    git(
        "-C",
        str(elsewhere),
        "-c",
        "user.name=X",
        "-c",
        "user.email=x@x",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "made by hand",
    )
    git("-C", str(elsewhere), "push", "-q", f"file://{tmp_path}/git/ledger.git", "HEAD:main")
    exists = ws.submit(view_id, state(form, name="ledger", description="x"))
    assert exists["errors"] == {
        "field:name": "A repository named ledger already exists; choose another name."
    }
    assert runs(engine) == [] and ws.slack.calls("chat.postMessage") == []


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (
            "hook-fails",
            "A hook of the template 'hook-fails' failed (exit status 3): "
            "database quota exceeded for team payments",
        ),
        (
            "hook-raises",
            "A hook of the template 'hook-raises' failed (exit status 1): "
            "RuntimeError: the payments database is read-only until Monday",
        ),
        ("undefined-var", "uses a variable it does not define"),
    ],
)
def test_a_failing_template_is_explained_and_the_form_comes_back_filled_in(
    ws: Workspace, catalog: Catalog, engine: Engine, tmp_path: Path, template: str, reason: str
) -> None:
    view_id = open_form(ws, template)
    ws.submit(view_id, state(ws.slack.view(view_id), name="ledger", description="Books."))
    failed = ws.view_text(ws.wait_view(view_id, "Nothing was created"))
    message = ws.text(ws.slack.wait_for("chat.postMessage")[0].args)
    listed = ws.text(ws.ask("admin scaffolds", user=BOB))
    # The hook's own words; cookiecutter's traceback (server paths) stays in the server log.
    for shown in (failed, message, listed):
        assert "Traceback" not in shown and "site-packages" not in shown
        assert 'File "' not in shown
    assert reason in failed and reason in listed
    assert "I could not create ledger." in message and reason in message
    nothing_made(tmp_path, catalog)
    assert [(n, s) for n, s, _ in runs(engine)] == [("ledger", "failed")]

    ws.act(view_id, "scaffold.retry")
    again = ws.wait_view(view_id, "Name:")
    name = next(b for b in again["blocks"] if b.get("block_id") == "field:name")
    assert name["element"]["initial_value"] == "ledger"


@SQLITE_ONLY
def test_a_push_the_host_refuses_leaves_nothing_behind(
    ws: Workspace, catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    bare = tmp_path / "git" / "ledger.git"
    rejecting_repository(bare)
    view_id = open_form(ws, "python-library")
    ws.submit(view_id, state(ws.slack.view(view_id), name="ledger", description="Books."))
    failed = ws.view_text(ws.wait_view(view_id, "Nothing was created"))
    assert "policy: repositories need an approved owner" in failed
    assert "policy: repositories need an approved owner" in ws.text(
        ws.slack.wait_for("chat.postMessage")[0].args
    )
    assert git("--git-dir", str(bare), "for-each-ref") == ""
    assert catalog.get(parse_ref("component:ledger")) is None
    assert runs(engine)[0][1] == "failed"


@SQLITE_ONLY
def test_a_template_over_its_time_limit_is_stopped_and_said_so(
    serve_greenroom: Serve, acme: None, catalog: Catalog, tmp_path: Path
) -> None:
    ws = serve(serve_greenroom, time_limit_seconds=2)
    view_id = open_form(ws, "slow-hook")
    values = state(
        ws.slack.view(view_id), name="ledger", description="x", pid_file=str(tmp_path / "pid")
    )
    ws.submit(view_id, values)
    failed = ws.view_text(ws.wait_view(view_id, "Nothing was created"))
    assert "took longer than 2 s and was stopped" in failed
    nothing_made(tmp_path, catalog)


@SQLITE_ONLY
def test_people_who_may_not_create_repositories_are_told_why(
    serve_greenroom: Serve,
    acme: None,
    engine: Engine,
    tmp_path: Path,
) -> None:
    ws = serve(serve_greenroom, allowed_groups=["group:payments"])
    stranger = open_modal(ws, user=NOBODY)
    assert "could not match your Slack account" in ws.view_text(
        ws.wait_view(stranger, "could not match")
    )
    refused = open_modal(ws, user=CAROL)
    assert "Creating repositories is limited to members of group:payments" in ws.view_text(
        ws.wait_view(refused, "limited to")
    )
    # Carol replays a form Alice was shown: refused before anything runs.
    view_id = open_form(ws, "python-library")
    answer = ws.submit(
        view_id, state(ws.slack.view(view_id), name="ledger", description="x"), user=CAROL
    )
    assert answer["response_action"] == "update"
    assert "limited to members of group:payments" in ws.view_text(answer["view"])
    assert runs(engine) == [] and not (tmp_path / "git").exists()


@SQLITE_ONLY
def test_someone_in_no_team_cannot_choose_an_owner(ws: Workspace) -> None:
    ws.slack.add_user("U0DAVE", email="dave@acme.example", name="Dave")
    view_id = open_modal(ws, user="U0DAVE")
    ws.wait_view(view_id, "Pick a template")
    ws.act(view_id, "scaffold.choose", value="python-service", user="U0DAVE")
    assert "not a member of any team" in ws.view_text(ws.wait_view(view_id, "any team"))


def test_two_people_creating_the_same_name_at_once_exactly_one_wins(
    ws: Workspace, catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    views = {user: open_form(ws, "python-library", user=user) for user in (ALICE, BOB)}
    answers: dict[str, dict[str, Any]] = {}

    def submit(user: str) -> None:
        values = state(ws.slack.view(views[user]), name="ledger", description=f"By {user}.")
        answers[user] = ws.submit(views[user], values, user=user)

    threads = [threading.Thread(target=submit, args=(user,)) for user in views]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = {}
    for user, view_id in views.items():
        if answers[user]["response_action"] == "errors":  # the other had already finished
            outcomes[user] = answers[user]["errors"]["field:name"]
            continue
        ended = ws.wait_view(view_id, ("is ready", "Edit and try again"), timeout=60)
        outcomes[user] = ws.view_text(ended)
    winners = [u for u, text in outcomes.items() if "ledger is ready" in text]
    assert len(winners) == 1, outcomes
    [loser] = set(views) - set(winners)
    assert "creating ledger right now" in outcomes[loser] or "already exists" in outcomes[loser]
    stored = catalog.get(parse_ref("component:ledger"))
    assert stored is not None and stored.entity.metadata.description == f"By {winners[0]}."
    assert git("--git-dir", str(tmp_path / "git" / "ledger.git"), "for-each-ref").count("\n") == 1
    assert [s for _, s, _ in runs(engine)].count("succeeded") == 1


@SQLITE_ONLY
def test_an_expired_trigger_is_explained_to_the_user(ws: Workspace) -> None:
    ws.slack.fail("views.open", error="expired_trigger_id")
    reply = ws.reply(ws.command("new"))
    assert "3 seconds" in ws.text(reply) and "/greenroom new" in ws.text(reply)

    ws.slack.fail("views.open", error="expired_trigger_id")
    ws.click(ws.open_home(ALICE), "Create a new service")
    message = ws.slack.wait_for("chat.postMessage")[0]
    assert message.args["channel"] == ALICE and "3 seconds" in ws.text(message.args)
    assert ws.slack.modal_ids() == []


@SQLITE_ONLY
def test_stale_view_hashes_are_handled(ws: Workspace) -> None:
    view_id = open_modal(ws)
    picker = ws.wait_view(view_id, "Pick a template")
    ws.slack.replace_view(view_id, picker)  # something else updated it: the hash is new
    click = {"action_id": "scaffold.choose", "block_id": "t", "value": "python-service"}
    ws.post(ws.requests.block_actions([click], user_id=ALICE, view=picker))  # the old hash
    deadline = time.monotonic() + 15
    while not any(c.error == "hash_conflict" for c in ws.slack.calls("views.update")):
        assert time.monotonic() < deadline, "the stale click never reached Slack"
        time.sleep(0.02)
    assert "Pick a template" in ws.view_text(ws.slack.view(view_id))  # the newer view stays

    # A run's progress and outcome are shown even when the view changed under it.
    view_id = open_form(ws, "python-library")
    ws.slack.fail("views.update", error="hash_conflict", times=1)
    ws.submit(view_id, state(ws.slack.view(view_id), name="ledger", description="Books."))
    assert "ledger is ready" in ws.view_text(ws.wait_view(view_id, "ledger is ready"))


@SQLITE_ONLY
def test_a_check_slower_than_the_ack_still_shows_its_errors_in_the_modal(
    ws: Workspace, engine: Engine, tmp_path: Path
) -> None:
    view_id = open_form(ws, "python-library", user=BOB)
    ws.slack.slow("users.info", 3)  # resolving the submitter takes longer than Slack waits
    ws.slack.add_user("U0BOB2", email="bob.b@acme.example", name="Bob again")
    started = time.monotonic()
    answer = ws.submit(
        view_id, state(ws.slack.view(view_id), name="payments-api", description="x"), user="U0BOB2"
    )
    assert time.monotonic() - started < 3
    assert answer["response_action"] == "update"  # the progress view: the run checks again
    failed = ws.view_text(ws.wait_view(view_id, "Some values need fixing"))
    assert "*Name*: component:payments-api already exists in the catalog" in failed
    assert runs(engine) == [] and not (tmp_path / "git" / "payments-api.git").exists()


@SQLITE_ONLY
def test_a_template_changed_while_its_form_was_open_shows_the_form_again(
    serve_greenroom: Serve, acme: None, engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "mine" / "changing"
    (folder / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (folder / "{{cookiecutter.project_slug}}" / "README.md").write_text("{{ cookiecutter.ticket }}")
    (folder / "cookiecutter.json").write_text('{"project_slug": "x", "description": "d"}')
    config = {"template_dirs": [{"path": str(tmp_path / "mine"), "trusted": False}]}
    ws = serve_greenroom(config={"scaffolder": config})
    view_id = open_form(ws, "changing")
    typed = state(ws.slack.view(view_id), name="ledger", description="Books.")

    (folder / "cookiecutter.json").write_text(
        '{"project_slug": "x", "description": "d", "ticket": ""}'
    )
    (folder / "greenroom-template.yaml").write_text("required: [ticket]\n")
    answer = ws.submit(view_id, typed)
    assert answer["response_action"] == "update"
    shown = ws.view_text(answer["view"])
    assert "Please fix" in shown and "Ticket*: Ticket is required." in shown
    assert "Ticket: [plain_text_input]" in shown and "Name: [plain_text_input: ledger]" in shown
    assert runs(engine) == []
