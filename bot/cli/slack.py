"""``greenroom demo``, ``ask``, ``serve`` and ``manifest``: the Slack app from the terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.cli.context import (
    LazyRuntime,
    err,
    json_option,
    out,
    runtime_of,
)

__all__ = ["ask", "demo", "manifest", "serve"]


@click.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Run the demo on a copy of the example company in this folder "
    "(default: examples/ in a source checkout, else ~/.local/share/greenroom/demo).",
)
@click.pass_context
def demo(ctx: click.Context, folder: Path | None) -> None:
    """Load the bundled example company into SQLite and ask the real app a few questions."""
    from bot.demo import run_demo
    from bot.demo_company import demo_folder

    company = demo_folder(folder)
    err.print(f"The example company is in {company}", markup=False, highlight=False)
    sys.exit(run_demo(out, err, company / "greenroom.yaml"))


@click.command()
@click.argument("question", required=False, default="")
@click.option("--user", "email", metavar="EMAIL", help="Ask as the Slack user with this email.")
@click.option("--home", is_flag=True, help="Open the Home tab instead of asking a question.")
@json_option
@click.pass_context
def ask(ctx: click.Context, question: str, email: str | None, home: bool, as_json: bool) -> None:
    """Ask the Slack app without Slack: "/greenroom owner payments-api", "@greenroom team"."""
    from bot.console import Console

    if not question and not home:
        raise click.UsageError('Give a question, e.g. "/greenroom help", or --home.')
    with Console(runtime_of(ctx)) as console:
        answer = console.ask(question, email=email, home=home)
    if as_json:
        out.print_json(data={"status": answer.status, "replies": answer.payloads()})
    else:
        out.print(answer.text(), markup=False)
    sys.exit(0 if answer.answered else 1)


@click.command()
@click.option(
    "--host",
    default="0.0.0.0",  # noqa: S104 - a server in a container listens on every interface
    show_default=True,
    envvar="HOST",
    help="Address to listen on.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=3000,
    show_default=True,
    envvar="PORT",
    help="Port to listen on (/slack/events, /docs, /healthz, /readyz, /metrics).",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--socket-mode", is_flag=True, help="Connect out to Slack (needs SLACK_APP_TOKEN).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, socket_mode: bool) -> None:
    """Run the Slack app: the web process (HTTP) or a Socket Mode client."""
    from bot.web.serve import serve_http, serve_socket_mode

    runtime = runtime_of(ctx, create=True)
    if socket_mode:
        serve_socket_mode(runtime)
        return
    lazy = ctx.find_object(LazyRuntime)
    assert lazy is not None
    serve_http(
        runtime,
        host=host,
        port=port,
        workers=workers,
        config_file=lazy.config_file,
        database_url=lazy.overrides.get("database_url"),
    )


@click.command()
@click.option("--url", help="The public https:// address of `greenroom serve`.")
@click.option("--socket-mode", is_flag=True, help="A Socket Mode app (no public URL).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml")
@click.pass_context
def manifest(ctx: click.Context, url: str | None, socket_mode: bool, fmt: str) -> None:
    """Print the Slack app manifest to create the app from."""

    import yaml

    from bot.manifest import build_manifest

    lazy = ctx.find_object(LazyRuntime)
    assert lazy is not None
    settings = lazy.settings()
    docs: tuple[str | None, ...] = (settings.techdocs.base_url, settings.techdocs.external_base_url)
    docs += tuple(settings.delivery.link_hosts([h.url for h in settings.repositories.hosts]))
    data = build_manifest(settings.slack, url=url, socket_mode=socket_mode, docs_urls=docs)
    text = (
        json.dumps(data, indent=2)
        if fmt == "json"
        else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    click.echo(text.rstrip())
