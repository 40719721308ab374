"""``greenroom demo``: the bundled example company synced into SQLite, then a tour of real
slash commands through the local console, then how to connect a real workspace."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console as Terminal

from bot.cli.docs_view import DocsProgressBar, print_docs_summary
from bot.cli.sync_view import print_sync_report
from bot.console import Console
from bot.loopback.pipelines_demo import demo_engines
from catalog.lookup import find_entity
from catalog.ownership import owner_of
from commands.pipelines.demo import pipelines_tour
from integrations.techdocs import build_all_docs
from runtime.process import Runtime, open_runtime

__all__ = ["TOUR", "run_demo"]

TOUR = (
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


def run_demo(out: Terminal, err: Terminal, config: Path) -> int:
    """Sync the example company (``config``: its greenroom.yaml, see bot/demo_company.py)
    and take the tour; returns the exit code."""
    runtime = open_runtime(config)
    out.rule("greenroom demo: syncing the example company (Globex Commerce)")
    report = runtime.sync(trigger="demo")
    print_sync_report(out, report)
    if report.exit_code:
        return report.exit_code
    out.rule("greenroom demo: building the example company's docs")
    _build_docs(runtime, out, err)
    email = _tour_guide(runtime.catalog)
    command = runtime.settings.slack.command
    who = f" as {email}" if email else ""
    failed = 0
    with Console(runtime) as console:
        for question in TOUR:
            out.rule(f"{command} {question}{who}")
            answer = console.ask(f"{command} {question}", email=email)
            out.print(answer.text(), markup=False, highlight=False)
            failed += 0 if answer.answered else 1
        out.rule(f"Home tab{who}")
        home = console.ask("", email=email, home=True)
        out.print(home.text(), markup=False, highlight=False)
    failed += pipelines_tour(runtime, out, engines=demo_engines, console=Console, email=email)
    out.rule("Connect a real Slack workspace")
    out.print(_CONNECT.format(command=command), markup=False, highlight=False)
    return 1 if failed else 0


def _build_docs(runtime: Runtime, out: Terminal, err: Terminal) -> None:
    """Every docs site; unchanged sites are skipped, so a second demo takes a fraction of a
    second here. A failed site is reported and the tour goes on."""
    with DocsProgressBar(err) as progress:
        report = build_all_docs(
            runtime.catalog,
            runtime.settings.techdocs,
            progress=progress,
            repositories=runtime.repository_cache,
        )
    print_docs_summary(out, report)


def _tour_guide(catalog: object) -> str | None:
    """The email of someone on the team that owns payments-api (the tour's point of view)."""
    from catalog import Catalog, GreenroomError

    assert isinstance(catalog, Catalog)
    try:
        team = owner_of(catalog, find_entity(catalog, "payments-api")).team
    except GreenroomError:
        return None
    return next((m.email for m in team.members if m.email), None) if team else None


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

Try more here:  greenroom ask "{command} deps checkout --reverse" --user <email>
Docs: docs/slack.md"""
