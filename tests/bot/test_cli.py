"""The ``greenroom`` command, driven through click's runner on real databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import main

Invoke = Callable[..., Result]


@pytest.fixture
def run(database_url: str, examples_dir: Path) -> Invoke:
    def invoke(*args: str) -> Result:
        config = str(examples_dir / "greenroom.yaml")
        options = ["--config", config, "--database-url", database_url]
        return CliRunner().invoke(main, [*options, *args], catch_exceptions=False)

    return invoke


def test_sync_prints_a_summary_and_every_problem(run: Invoke) -> None:
    result = run("sync")
    assert result.exit_code == 0, result.output
    assert "globex" in result.output and "69" in result.output
    assert "globex-org" in result.output and "48" in result.output  # the org chart
    assert 'apis/reports-export.yaml:4: "spec.definition" is required' in result.output
    missing = "component:default/loyalty-service ownedBy group:default/ghost-squad (missing)"
    assert missing in result.output


def test_sync_json_is_the_stored_report(run: Invoke) -> None:
    report = json.loads(run("sync", "--json").output)
    assert report["status"] == "ok"
    assert [s["name"] for s in report["sources"]] == ["globex", "globex-org"]
    assert [len(s["added"]) for s in report["sources"]] == [69, 48]
    again = json.loads(run("sync", "--json").output)
    assert [s["unchanged"] for s in again["sources"]] == [69, 48]
    assert all(s["added"] == [] for s in again["sources"])


def test_sync_exits_non_zero_only_when_no_source_could_be_read(run: Invoke, tmp_path: Path) -> None:
    result = run("sync", "--source", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "could not be read" in result.output


def test_an_ad_hoc_source_defines_people_only_with_allow(
    run: Invoke, tmp_path: Path, examples_dir: Path
) -> None:
    org = str(examples_dir / "catalog" / "org" / "organisation.yaml")
    refused = json.loads(run("sync", "--source", org, "--json").output)
    assert refused["sources"][0]["added"] == ["location:default/globex-org"]
    assert refused["sources"][0]["errors"] == 47  # 33 users and 14 groups, each reported
    allowed = json.loads(
        run("sync", "--source", org, "--allow", "User", "--allow", "Group", "--json").output
    )
    assert len(allowed["sources"][0]["added"]) == 47
    assert "--allow applies to --source only" in run("sync", "--allow", "User").output
    assert "--allow takes kinds" in run("sync", "--source", org, "--allow", "").output


def test_catalog_get_owner_deps_impact_search(run: Invoke) -> None:
    run("sync")
    entity = json.loads(run("catalog", "get", "payments-api", "--json").output)
    assert entity["metadata"]["name"] == "payments-api"
    assert {"type": "ownedBy", "targetRef": "group:default/payments-core"} in entity["relations"]
    assert entity["metadata"]["annotations"]["backstage.io/managed-by-location"].startswith("file:")

    owner = json.loads(run("catalog", "owner", "payments-api", "--json").output)
    assert owner["team"]["display_name"] == "Payments Core"
    assert owner["system"]["ref"] == "system:default/payments"

    deps = json.loads(run("catalog", "deps", "checkout", "--depth", "2", "--json").output)
    assert {n["summary"]["ref"] for n in deps["nodes"]} >= {"component:default/payments-api"}
    reverse = run("catalog", "deps", "payments-api", "--reverse")
    assert "needed by" in reverse.output and "component:checkout" in reverse.output

    impact = run("catalog", "impact", "fraud-detector")
    assert "tell Checkout squad (group:checkout-squad)" in impact.output

    hits = json.loads(run("catalog", "search", "refund", "--json").output)
    assert hits[0]["summary"]["ref"] == "component:default/refunds-worker"


def test_errors_are_one_line_on_stderr_with_exit_1(run: Invoke) -> None:
    run("sync")
    result = run("catalog", "owner", "paymnts-api")
    assert result.exit_code == 1
    assert "EntityNotFound: No entity named 'paymnts-api' in the catalog." in result.output
    assert "component:payments-api" in result.output
    assert "Traceback" not in result.output


def test_a_broken_config_file_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text("catalog:\n  sources:\n    - {name: x, type: nope, path: .}\n")
    result = CliRunner().invoke(main, ["--config", str(config), "catalog", "search", "x"])
    assert result.exit_code == 1
    assert "ConfigError: Invalid settings in" in result.output
    assert "catalog.sources.0" in result.output


def test_db_upgrade_is_idempotent(run: Invoke) -> None:
    assert run("db", "upgrade").exit_code == 0
    assert "Schema is up to date" in run("db", "upgrade").output
