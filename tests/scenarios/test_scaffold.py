"""``/greenroom new``: from the slash command (or the Home tab's button) through the modal's
picker and form to a new repository in a local bare git repository, registered in the catalog
at once, the progress in the modal and the result in a direct message. Failures are in
test_scaffold_failures.py."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.scenarios.conftest import ACME
from tests.scenarios.scaffolding import TEMPLATE_DIRS, git, open_form, open_modal, state
from tests.scenarios.workspace import ALICE, BOB, NOBODY, Workspace

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
Serve = Callable[..., Workspace]


@pytest.fixture
def ws(serve_greenroom: Serve, acme: None) -> Workspace:
    """greenroom on ACME with the shipped and the fixture templates; Bob is an admin."""
    return serve_greenroom(config={"scaffolder": {"template_dirs": TEMPLATE_DIRS}}, admins=[BOB])


def test_a_service_is_created_from_the_modal_and_is_in_the_catalog_at_once(
    ws: Workspace, tmp_path: Path
) -> None:
    asked = time.monotonic()
    view_id = open_modal(ws)
    first = ws.slack.calls("views.open")[0]
    assert first.args["view"]["callback_id"] == "loading"
    assert first.at - asked < 3, "views.open must beat the trigger's 3 seconds"
    picker = ws.view_text(ws.wait_view(view_id, "Pick a template"))
    assert "🐍 Python HTTP service" in picker and "📦 Python library" in picker

    ws.act(view_id, "scaffold.choose", value="python-service")
    form = ws.wait_view(view_id, "Name:")
    shown = ws.view_text(form)
    assert "Owner: [static_select: Payments team]" in shown
    assert "Lifecycle: [static_select: Experimental: early days, may still change a lot]" in shown
    assert form["submit"]["text"] == "Create" and len(form["private_metadata"]) <= 3000

    values = state(
        form,
        name="ledger",
        description="Keeps the books.",
        port="8000",
        system="system:default/money",
    )
    submission = ws.requests.view_submission(form, user_id=ALICE, values=values)
    answer = ws.post(submission).json()
    assert answer["response_action"] == "update"
    assert "Creating `ledger`" in ws.view_text(answer["view"])
    ws.slack.replace_view(view_id, answer["view"])
    again = ws.post(submission)  # Slack delivered the submission twice: one run only
    assert again.json()["response_action"] == "update"

    done = ws.view_text(ws.wait_view(view_id, "ledger is ready"))
    bare = tmp_path / "git" / "ledger.git"
    assert f"file://{bare}" in done and "/greenroom owner ledger" in done
    assert "Docs:* `/docs/default/component/ledger/`" in done
    updates = [c.args["view"]["callback_id"] for c in ws.slack.calls("views.update")]
    after = updates[updates.index("scaffold.form") + 1 :]  # the run's own updates
    assert after[-1] == "scaffold.done" and set(after[:-1]) <= {"scaffold.progress"}

    message = ws.slack.wait_for("chat.postMessage")[0]
    assert message.args["channel"] == ALICE
    assert "ledger is ready" in ws.text(message.args) and f"file://{bare}" in message.args["text"]
    author = git("--git-dir", str(bare), "log", "--format=%an <%ae>", "main").strip()
    assert author == "Alice Archer <alice@acme.example>"
    assert "containerPort: 8000" in git("--git-dir", str(bare), "show", "main:k8s/deployment.yaml")

    ws.wait_metric("greenroom_slack_replies_total", 1, command="new", outcome="run_ok")
    owner = ws.text(ws.ask("owner ledger"))
    assert "Payments team" in owner and "Keeps the books." in owner
    refused = ws.text(ws.ask("admin scaffolds"))
    assert "greenroom admins only" in refused
    runs = ws.text(ws.ask("admin scaffolds", user=BOB))
    assert runs.count("`ledger` from `python-service` by alice@acme.example") == 1
    assert "succeeded in" in runs and f"file://{bare}" in runs


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("template", "choices", "path", "expected"),
    [
        ("python-library", {"include_cli": True}, "src/ledger/cli.py", "import click"),
        (
            "data-job",
            {"schedule": "30 2 * * 1-5", "output_format": "csv"},
            "k8s/cronjob.yaml",
            'value: "csv"',
        ),
    ],
)
def test_every_shipped_template_can_be_created_and_the_user_may_close_the_modal(
    ws: Workspace,
    tmp_path: Path,
    template: str,
    choices: dict[str, object],
    path: str,
    expected: str,
) -> None:
    view_id = open_form(ws, template, user=BOB)
    form = ws.slack.view(view_id)
    ws.submit(view_id, state(form, name="ledger", description="Books.", **choices), user=BOB)
    ws.slack.close_view(view_id)  # closed while it runs: the message still comes

    message = ws.slack.wait_for("chat.postMessage", timeout=60)[0]
    assert message.args["channel"] == BOB and "ledger is ready" in ws.text(message.args)
    shown = git("--git-dir", str(tmp_path / "git" / "ledger.git"), "show", f"main:{path}")
    assert expected in shown
    assert "Payments team" in ws.text(ws.ask("owner ledger"))


@SQLITE_ONLY
def test_the_home_tab_has_a_button_that_opens_the_picker(ws: Workspace) -> None:
    home = ws.open_home(ALICE)
    assert "Create a new service" in ws.buttons(home)
    ws.click(home, "Create a new service")
    view_id = ws.slack.wait_for("views.open")[0]
    opened = ws.slack.modal_ids()
    assert view_id.args["view"]["callback_id"] == "loading" and len(opened) == 1
    assert "Pick a template" in ws.view_text(ws.wait_view(opened[0], "Pick a template"))
    assert "Create a new service" not in ws.buttons(ws.open_home(NOBODY))


@SQLITE_ONLY
def test_new_with_a_template_opens_its_form_and_a_mention_offers_the_button(
    ws: Workspace,
) -> None:
    view_id = open_modal(ws, text="new data-job")
    assert "⏰ Scheduled data job" in ws.view_text(ws.wait_view(view_id, "Name:"))
    unknown = open_modal(ws, text="new nosuch")
    assert "No template named 'nosuch'" in ws.view_text(ws.wait_view(unknown, "nosuch"))
    ws.act(view_id, "scaffold.back")
    assert "Pick a template" in ws.view_text(ws.wait_view(view_id, "Pick a template"))

    ws.mention("new")
    reply = ws.slack.wait_for("chat.postEphemeral")[0].args
    assert ws.buttons(reply) == ["Create a new service"]


@SQLITE_ONLY
def test_long_lists_are_searched_through_an_external_select(
    serve_greenroom: Serve, write_catalog: Callable[[str], None]
) -> None:
    systems = "".join(
        f"---\napiVersion: backstage.io/v1alpha1\nkind: System\n"
        f"metadata: {{name: sys-{i:03d}, title: System {i:03d}}}\nspec: {{owner: payments}}\n"
        for i in range(150)
    )
    write_catalog(ACME + systems)
    ws = serve_greenroom(config={"scaffolder": {"template_dirs": TEMPLATE_DIRS}})
    view_id = open_form(ws, "python-library")
    form = ws.slack.view(view_id)
    system = next(b for b in form["blocks"] if b["block_id"] == "field:system")["element"]
    assert system["type"] == "external_select" and system["min_query_length"] <= 1

    found = ws.suggest(view_id, "field:system", system["action_id"], "System 12")
    wanted = {12, 112, *range(120, 130)}
    assert [o["value"] for o in found] == [f"system:default/sys-{i:03d}" for i in sorted(wanted)]
    assert len(ws.suggest(view_id, "field:system", system["action_id"], "sys")) == 100
    assert ws.suggest(view_id, "field:system", system["action_id"], "money")[0]["value"] == (
        "system:default/money"
    )
    answer = ws.submit(
        view_id, state(form, name="Not A Name", description="x", system="system:default/sys-123")
    )
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"field:name"}


@SQLITE_ONLY
def test_a_huge_cookiecutter_json_fits_a_modal_and_its_metadata(
    serve_greenroom: Serve, acme: None, tmp_path: Path
) -> None:
    folder = tmp_path / "big" / "huge"
    (folder / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    context: dict[str, object] = {"project_slug": "x", "description": "d"}
    context |= {
        f"setting_{i:03d}": f"a default that is rather long, number {i} " * 3 for i in range(140)
    }
    context["region"] = [f"region-{i:03d}" for i in range(150)]
    (folder / "cookiecutter.json").write_text(json.dumps(context))
    readme = "{{ cookiecutter.region }} {{ cookiecutter.setting_139 }}"
    (folder / "{{cookiecutter.project_slug}}" / "README.md").write_text(readme)
    config = {"template_dirs": [{"path": str(tmp_path / "big"), "trusted": False}]}
    ws = serve_greenroom(config={"scaffolder": config})

    view_id = open_form(ws, "huge")
    form = ws.slack.view(view_id)
    assert len(form["blocks"]) <= 100
    assert "more settings keep their defaults" in ws.view_text(form)
    answer = ws.submit(view_id, state(form, name="ledger", description="Books."))
    assert answer["response_action"] == "update"
    assert len(answer["view"]["private_metadata"]) <= 3000
    done = ws.view_text(ws.wait_view(view_id, "ledger is ready", timeout=60))
    readme = git("--git-dir", str(tmp_path / "git" / "ledger.git"), "show", "main:README.md")
    assert "region-000 a default that is rather long, number 139" in readme, done


@SQLITE_ONLY
def test_template_texts_cannot_ping_or_link_anyone(
    serve_greenroom: Serve, acme: None, tmp_path: Path
) -> None:
    folder = tmp_path / "mine" / "sneaky"
    (folder / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (folder / "{{cookiecutter.project_slug}}" / "README.md").write_text("x")
    (folder / "cookiecutter.json").write_text(
        json.dumps({"project_slug": "x", "description": "d", "flavour": ["<!here>", "plain"]})
    )
    (folder / "greenroom-template.yaml").write_text(
        'title: "<!channel> *now*"\ndescription: "<@U0ALICE> <https://evil.example|click>"\n'
    )
    config = {"template_dirs": [{"path": str(tmp_path / "mine"), "trusted": False}]}
    ws = serve_greenroom(config={"scaffolder": config})
    view_id = open_modal(ws)
    picker = ws.wait_view(view_id, "Pick a template")
    ws.act(view_id, "scaffold.choose", value="sneaky")
    form = ws.wait_view(view_id, "Name:")
    for view in (picker, form):
        mrkdwn = [
            b["text"]["text"]
            for b in view["blocks"]
            if b["type"] == "section" and b["text"]["type"] == "mrkdwn"
        ]
        assert any("&lt;!channel&gt;" in t for t in mrkdwn), mrkdwn
        assert not any(token in t for t in mrkdwn for token in ("<!", "<@", "<https")), mrkdwn


@SQLITE_ONLY
def test_many_templates_are_offered_in_a_select(
    serve_greenroom: Serve, acme: None, tmp_path: Path
) -> None:
    for i in range(45):
        folder = tmp_path / "many" / f"t-{i:02d}"
        (folder / "{{cookiecutter.project_slug}}").mkdir(parents=True)
        (folder / "cookiecutter.json").write_text('{"project_slug": "x", "description": "d"}')
    config = {"template_dirs": [{"path": str(tmp_path / "many")}], "shipped_templates": False}
    ws = serve_greenroom(config={"scaffolder": config})
    view_id = open_modal(ws)
    picker = ws.wait_view(view_id, "Pick a template")
    [select] = [e for b in picker["blocks"] for e in b.get("elements", [])]
    assert select["type"] == "static_select" and len(select["options"]) == 45
    ws.act(view_id, "scaffold.choose", value="t-07")
    assert "T 07" in ws.view_text(ws.wait_view(view_id, "Name:"))
