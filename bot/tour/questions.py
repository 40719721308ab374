"""Tour steps: slash commands through the real app, the Home tab, and what to try next."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from bot.tour import Tour

__all__ = ["QUESTIONS", "ask_questions", "connect_a_workspace", "open_home"]

QUESTIONS = (
    "help",
    "owner payments-api",
    "deps checkout --depth 2",
    "impact payments-api",
    "team",
    "find refund",
    "docs payments-api",
    "docs search refund",
    "whoami",
)


def ask_questions(tour: Tour, questions: tuple[str, ...] = QUESTIONS) -> None:
    for question in questions:
        tour.ask(question)


def open_home(tour: Tour) -> None:
    """The guide's Home tab: every section the capabilities add."""
    tour.ask("", home=True)


def connect_a_workspace(tour: Tour) -> None:
    tour.title("Connect a real Slack workspace")
    guide = f" --user {tour.guide}" if tour.guide else ""
    folder = shlex.quote(str(tour.folder))
    try_more = f'cd {folder} && {_script()} ask "{tour.command} deps checkout --reverse"{guide}'
    files = "".join(f"\n  {path}" for path in tour.written)
    tour.say(_CONNECT.format(command=tour.command, try_more=try_more, files=files or " none"))


def _script() -> str:
    """How to run greenroom again: ``greenroom`` when that is what PATH finds, else its path."""
    this = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    found = shutil.which("greenroom")
    if this is None or this.name != "greenroom" or (found and Path(found).resolve() == this):
        return "greenroom"
    return shlex.quote(str(this))


_CONNECT = """\
Everything above went through the real Slack app, against a loopback Slack on this machine.
To answer in your workspace:

  1. greenroom manifest --url https://<where greenroom will run>   (or --socket-mode)
     then at https://api.slack.com/apps: Create New App -> From an app manifest -> paste it.
  2. Install it to the workspace, then export what the app's pages show:
       SLACK_BOT_TOKEN=xoxb-...        (OAuth & Permissions)
       SLACK_SIGNING_SECRET=...        (Basic Information)
       SLACK_APP_TOKEN=xapp-...        (only for --socket-mode; scope connections:write)
  3. Point greenroom.yaml at your catalog, then: greenroom sync && greenroom serve
     (or greenroom serve --socket-mode). In Slack: {command} help

Try more here (greenroom reads the greenroom.yaml of the folder it runs in):
  {try_more}
Files the tour wrote:{files}
Docs: docs/slack.md"""
