"""``admin <action>``: actions only greenroom admins (``slack.admins``) may run.

Each capability adds its own actions to ``deps.admin`` (a SubcommandRouter) in its
``register(app, deps)``; this module checks that the caller is an admin and routes::

    deps.admin.add(
        "scaffolds",
        answer_runs,                      # (Ask) -> Reply | None, ask.text after the action
        summary="Recent scaffold runs",
        usage="admin scaffolds [--limit N]",
    )
"""

from __future__ import annotations

from dataclasses import replace

from slack_bolt import App

from bot import blocks as bk
from bot.blocks import Block
from bot.deps import Deps
from bot.grammar import UsageError
from bot.replies import Reply
from bot.router import Ask
from catalog import NotAuthorized
from commands.catalog_holds import hold_blocks, open_hold_notices

__all__ = ["register"]


def register(app: App, deps: Deps) -> None:
    """Add the ``admin`` subcommand, which routes to the actions in ``deps.admin``."""
    command = deps.settings.slack.command

    def answer_admin(ask: Ask) -> Reply | None:
        if not deps.is_admin(ask.caller):
            raise NotAuthorized(
                "Admin actions are for greenroom admins only (`slack.admins` in greenroom.yaml); "
                "ask your platform team."
            )
        first, _, rest = ask.text.partition(" ")
        if not first:
            return _actions(deps, command)
        action = deps.admin.get(first)
        if action is None:
            close = deps.admin.closest(first)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            known = ", ".join(a.name for a in deps.admin.all()) or "none yet"
            raise UsageError(f"There is no admin action {first!r}.{hint} Actions: {known}.")
        return action.handler(replace(ask, text=rest.strip()))

    deps.router.add(
        "admin",
        answer_admin,
        summary="Admin actions (greenroom admins only); `admin` lists them",
        usage="admin <action> ...",
    )


def _actions(deps: Deps, command: str) -> Reply:
    actions = deps.admin.all()
    waiting = open_hold_notices(deps)
    head: tuple[Block, ...] = ()
    if waiting:
        head = (bk.header("Waiting for an admin"), *hold_blocks(waiting), bk.divider())
    if not actions:
        none = bk.section("No admin actions are installed.")
        return Reply("No admin actions", (*head, none), shareable=False)
    lines = [
        f"*{bk.escape(a.name)}* — {bk.escape(a.summary)}\n{bk.code(command + ' ' + a.usage)}"
        for a in actions
    ]
    blocks = (*head, bk.header("Admin actions"))
    return Reply("Admin actions", blocks, tuple(lines), shareable=False)
