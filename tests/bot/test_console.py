"""``greenroom ask`` and ``greenroom demo``: the real app answering from a terminal."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console as Terminal

from bot.cli.main import main
from bot.demo import run_demo

CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, title: Payments team}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice Archer, email: alice@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments-api, description: "Takes <!channel> money & more"}
spec: {type: service, lifecycle: production, owner: payments}
"""

TRUSTED_FOR_PEOPLE = ["--allow-kind", "User", "--allow-kind", "Group"]


@pytest.fixture
def synced(database_url: str, tmp_path: Path) -> list[str]:
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "catalog-info.yaml").write_text(CATALOG)
    result = CliRunner().invoke(
        main,
        ["--database-url", database_url, "sync", "--source", str(folder), *TRUSTED_FOR_PEOPLE],
    )
    assert result.exit_code == 0, result.output
    return ["--database-url", database_url]


def test_ask_prints_the_reply_as_text(synced: list[str]) -> None:
    result = CliRunner().invoke(
        main, [*synced, "ask", "/greenroom owner payments-api", "--user", "alice@acme.example"]
    )
    assert result.exit_code == 0, result.output
    assert "Payments team" in result.output and "@alice" in result.output
    assert "Takes <!channel> money & more" in result.output
    assert "[Share in channel]" in result.output


def test_ask_json_prints_the_block_kit_payloads(synced: list[str]) -> None:
    result = CliRunner().invoke(main, [*synced, "ask", "whoami", "--json"])
    data = json.loads(result.output)
    assert data["status"] == 200
    [reply] = data["replies"]
    assert reply["via"] == "response_url" and reply["payload"]["response_type"] == "ephemeral"
    assert any(b["type"] == "section" for b in reply["payload"]["blocks"])


def test_ask_a_mention_and_the_home_tab(synced: list[str]) -> None:
    mention = CliRunner().invoke(main, [*synced, "ask", "@greenroom team payments"])
    assert mention.exit_code == 0 and "Members (1)" in mention.output
    home = CliRunner().invoke(main, [*synced, "ask", "--home", "--user", "alice@acme.example"])
    assert home.exit_code == 0 and "Hi Alice Archer" in home.output


def test_each_console_user_is_mapped_separately(synced: list[str]) -> None:
    runner = CliRunner()
    assert (
        "Alice Archer"
        in runner.invoke(main, [*synced, "ask", "whoami", "--user", "alice@acme.example"]).output
    )
    other = runner.invoke(main, [*synced, "ask", "whoami", "--user", "zed@acme.example"]).output
    assert "Catalog user: none." in other


def test_questions_the_app_does_not_take_exit_1(synced: list[str]) -> None:
    result = CliRunner().invoke(main, [*synced, "ask", "/weather today"])
    assert result.exit_code == 1 and "HTTP 404" in result.output
    result = CliRunner().invoke(main, [*synced, "ask"])
    assert result.exit_code == 2 and "Give a question" in result.output


def test_demo_syncs_the_example_company_and_takes_the_tour(
    examples_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "examples"
    shutil.copytree(examples_dir, copy, ignore=shutil.ignore_patterns(".greenroom"))
    terminal = Terminal(record=True, width=200)
    assert run_demo(terminal, terminal, copy / "greenroom.yaml") == 0
    output = terminal.export_text()
    assert "Payments Core" in output  # owner payments-api
    assert "If Payments API breaks" in output
    assert "your manage page" in output
    assert re.search(r"Docs: \d+ sites \(\d+ built\)", output)  # every example site builds
    assert (
        "Docs: Payments API" in output
        and "Runbook (/docs/default/component/payments-api/" in output
    )
    assert "Docs matching “refund”" in output and "#" in output.split("Docs matching")[1]
    assert "Docs of your components" in output  # coverage on the Home tab
    # the pipelines step, against the loopback Airflow and Marquez
    assert "The last run of DAG orders_hourly failed at task load_orders" in output
    assert "Who is affected if this is late: 2 teams to tell" in output
    assert "kafka://globex/clickstream.sessions" in output  # known to OpenLineage only
    assert "greenroom manifest --url" in output and "SLACK_SIGNING_SECRET" in output
    assert f"cd {copy} && " in output  # the hint runs where the demo's greenroom.yaml is


def test_the_demo_tours_clusters_migrations_scaffolding_the_worker_and_home_in_a_minute(
    examples_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "examples"
    shutil.copytree(examples_dir, copy, ignore=shutil.ignore_patterns(".greenroom"))
    terminal = Terminal(record=True, width=200)
    started = time.monotonic()
    assert run_demo(terminal, terminal, copy / "greenroom.yaml") == 0
    assert time.monotonic() - started < 60
    output = terminal.export_text()
    # two loopback clusters; refunds-worker sick in prod-us, with findings and their fixes
    assert "Kubernetes: Payments API" in output and "All healthy" in output
    sick = output.split("Kubernetes: Refunds worker")[1]
    assert "prod-eu" in sick and "prod-us" in sick and "CrashLoopBackOff" in sick
    assert "Fix: Raise its memory limit" in sick
    assert "alert(s) posted to the owning teams' channels" in output
    # a day-2 action: the guide (an owner) restarts payments-api for real, verified, audited
    action = output.split("a day-2 action (restart payments-api)")[1]
    assert "Dry run (nothing changed yet): Restart deployment payments-api in prod-eu/payments" in (
        action
    )
    assert "✓ The restart finished: 2 of 2 pods updated and available" in action
    assert re.search(r"outcome +restart prod-eu/payments/deployment/payments-api by .+: ok", action)
    trail = action.split("/greenroom audit payments-api")[1]
    assert "outcome restart · `prod-eu/payments/deployment/payments-api`" in trail
    # migrations evaluated: leaderboards by tribe and by squad, and the chart on disk
    assert "python-3-12: 9/22 done" in output
    assert "Payments Core (your squad)" in output and "Payments tribe" in output
    chart = copy / ".greenroom" / "demo" / "python-3-12.png"
    assert f"is in {chart}" in output
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    # a service scaffolded into a local bare repository, in the catalog at once
    assert "Created gift-cards" in output
    assert (copy / ".greenroom" / "git" / "gift-cards.git" / "HEAD").is_file()
    owner = output.split("/greenroom owner gift-cards")[1]
    assert "Gift Cards" in owner and "Payments Core" in owner
    # the digest, posted by a run of the worker engine, recorded like any run
    assert "(migrations.digest) succeeded in the worker" in output
    assert "Tech migration: Upgrade to Python 3.12" in output
    # the Home tab with every section
    home = output.split("Home tab as")[1]
    for section in (
        "Your teams",
        "What you own",
        "Kubernetes health",
        "Catalog problems",
        "Tech migrations: what your teams have left",
        "Docs of your components",
        "New repository",
    ):
        assert section in home, section
    # again: the same tour on the same folder (the service is there already)
    again = Terminal(record=True, width=200)
    assert run_demo(again, again, copy / "greenroom.yaml") == 0
    second = again.export_text()
    assert "gift-cards was scaffolded by an earlier demo" in second
    # prod-eu's payments-api cools down after the first restart: this one restarts prod-us's
    assert "Restart deployment payments-api in prod-us/payments" in second


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ask_new_shows_the_template_picker(
    synced: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the scaffolder keeps its work folders in ./.greenroom
    result = CliRunner().invoke(
        main, [*synced, "ask", "/greenroom new", "--user", "alice@acme.example"]
    )
    assert result.exit_code == 0, result.output
    assert "[New repository]" in result.output and "Pick a template" in result.output
    assert "Python HTTP service" in result.output and "[Choose]" in result.output
    assert "Loading" not in result.output  # the loading modal was replaced by the picker
    form = CliRunner().invoke(
        main, [*synced, "ask", "/greenroom new python-library", "--user", "alice@acme.example"]
    )
    assert "Owner: [static_select: Payments team]" in form.output
