"""``new [template]``: create a repository from a template in a modal; the Home tab's
"Create a new service" button; ``admin scaffolds`` (recent runs, for admins).

The modal's steps are in commands/scaffold/flow.py, the runs in commands/scaffold/runner.py; this
module wires them to Slack.
"""

from __future__ import annotations

import functools

from slack_bolt import App

from catalog import GreenroomError
from commands.scaffold.flow import ScaffoldModal, not_opened_text
from commands.scaffold.form import SEARCH_ACTION
from commands.scaffold.messages import run_line
from commands.scaffold.modal import (
    BACK_ACTION,
    CHOOSE_ACTION,
    FORM_CALLBACK,
    OPEN_ACTION,
    RETRY_ACTION,
    TITLE,
)
from integrations.scaffolder import ScaffoldAccess, Scaffolder, caller_from_ref
from runtime.scaffolding import build_scaffolder
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.home import HomeContext
from slackkit.incoming import ack_now
from slackkit.modals import update_view
from slackkit.replies import Reply
from slackkit.router import Ask

__all__ = ["register"]

_RUNS_SHOWN, _RUNS_MAX = 20, 200


def register(app: App, deps: Deps) -> None:
    """Add ``new``, the Home button, the modal's listeners and ``admin scaffolds``."""
    command = deps.settings.slack.command

    @functools.cache
    def scaffolder() -> Scaffolder:  # built on first use: it prepares folders on disk
        return build_scaffolder(deps.settings, deps.engine, deps.catalog)

    flow = ScaffoldModal(deps, scaffolder)

    def answer_new(ask: Ask) -> Reply | None:
        if ask.modal is None:  # a mention or a re-run button: no trigger to open a modal on
            button = bk.button("Create a new service", OPEN_ACTION, style="primary")
            text = "Repositories are created in a form; this button opens it."
            return Reply(text, (bk.section(text, accessory=button),), shareable=False)
        if not ask.modal.ok or ask.modal.view_id is None:
            return Reply.simple(not_opened_text(ask.modal, command))
        template_id = ask.words[0] if ask.words else None
        view = flow.start_view(ask.caller, template_id)
        update_view(ask.client, ask.modal.view_id, view, hash=ask.modal.hash)
        return None

    access = ScaffoldAccess(deps.settings.scaffolder)

    def home_button(home: HomeContext) -> list[Block]:
        if home.caller.person is None:
            return []
        try:
            access.check(caller_from_ref(deps.catalog, home.caller.person.ref))
        except GreenroomError:
            return []
        button = bk.button("Create a new service", OPEN_ACTION, style="primary")
        text = (
            "*New repository*\nA service, library or job from a template, with CI, docs and "
            f"its catalog entry. Also {bk.code(command + ' new')}."
        )
        return [bk.section(text, accessory=button)]

    def answer_runs(ask: Ask) -> Reply:
        runs = scaffolder().runs(limit=_limit(ask.options(values={"limit"}).values.get("limit")))
        if not runs:
            return Reply.simple("No scaffold runs yet.")
        return Reply(
            f"The {len(runs)} most recent scaffold runs",
            (bk.header("Recent scaffold runs"),),
            tuple(run_line(r) for r in runs),
            shareable=False,
        )

    deps.router.add(
        "new",
        answer_new,
        summary="Create a repository from a template (service, library, job) in a form",
        usage="new [template]",
        examples=("new",),
        aliases=("scaffold", "create"),
        modal=TITLE,
    )
    deps.home.add_section("scaffold", home_button, order=50, max_blocks=1)
    deps.admin.add(
        "scaffolds",
        answer_runs,
        summary="Recent scaffold runs: who, template, status, outcome, duration",
        usage="admin scaffolds [--limit N]",
    )
    app.action(OPEN_ACTION)(ack=ack_now, lazy=[flow.open_from_button])
    for action_id in (CHOOSE_ACTION, BACK_ACTION, RETRY_ACTION):
        app.action(action_id)(ack=ack_now, lazy=[flow.change_view])
    app.view(FORM_CALLBACK)(flow.submit)
    app.options(SEARCH_ACTION)(flow.suggest)


def _limit(value: str | None) -> int:
    if value is None:
        return _RUNS_SHOWN
    if not value.isdigit() or not 1 <= int(value) <= _RUNS_MAX:
        raise UsageError(f"--limit takes a number from 1 to {_RUNS_MAX}.")
    return int(value)
