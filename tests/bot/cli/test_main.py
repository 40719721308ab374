"""The ``greenroom`` command, driven through click's runner on real databases."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import main
from tests.fakes.backstage_api import FakeBackstage, serve_backstage

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
    assert "globex" in result.output and "75" in result.output
    assert "globex-org" in result.output and "48" in result.output  # the org chart
    assert 'apis/reports-export.yaml:4: "spec.definition" is required' in result.output
    missing = "component:default/loyalty-service ownedBy group:default/ghost-squad (missing)"
    assert missing in result.output


def test_sync_json_is_the_stored_report(run: Invoke) -> None:
    report = json.loads(run("sync", "--json").output)
    assert report["status"] == "ok"
    assert [s["name"] for s in report["sources"]] == ["globex", "globex-org"]
    assert [len(s["added"]) for s in report["sources"]] == [75, 48]
    again = json.loads(run("sync", "--json").output)
    assert [s["unchanged"] for s in again["sources"]] == [75, 48]
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
        run(
            "sync", "--source", org, "--allow-kind", "User", "--allow-kind", "Group", "--json"
        ).output
    )
    assert len(allowed["sources"][0]["added"]) == 47
    assert "--allow-kind applies to --source only" in run("sync", "--allow-kind", "User").output
    assert "--allow-kind takes kinds" in run("sync", "--source", org, "--allow-kind", "").output


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


def _components(folder: Path, names: list[str]) -> None:
    for name in names:
        (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / name / "catalog-info.yaml").write_text(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
            f"metadata: {{name: {name}}}\n"
            "spec: {type: service, lifecycle: production, owner: a}\n"
        )


@pytest.fixture
def own(database_url: str, tmp_path: Path) -> Callable[..., Result]:
    """``greenroom`` with a greenroom.yaml of directory sources under tmp_path (``sources``
    names them; rewrite it by calling ``own.configure``)."""

    def configure(*names: str) -> None:
        lines = ["catalog:", "  sources:" if names else "  sources: []"]
        lines += [f"    - {{name: {n}, type: directory, path: {n}}}" for n in names]
        (tmp_path / "greenroom.yaml").write_text("\n".join(lines) + "\n")

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        options = ["--config", str(tmp_path / "greenroom.yaml"), "--database-url", database_url]
        return CliRunner(env=env).invoke(main, [*options, *args], catch_exceptions=False)

    invoke.configure = configure  # type: ignore[attr-defined]
    return invoke


def test_sync_holds_a_source_that_shrank_exits_3_and_allow_removals_applies_them(
    own: Callable[..., Result], tmp_path: Path
) -> None:
    own.configure("svc")  # type: ignore[attr-defined]
    _components(tmp_path / "svc", [f"svc-{i:02d}" for i in range(15)])
    assert own("sync").exit_code == 0
    for i in range(12):
        shutil.rmtree(tmp_path / "svc" / f"svc-{i:02d}")
    held = own("sync")
    assert held.exit_code == 3, held.output
    assert "held" in held.output
    assert "svc: this sync would remove 12 of its 15 entities (80%" in held.output
    assert "greenroom sync --allow-removals svc" in held.output
    report = json.loads(own("sync", "--json").output)
    assert report["status"] == "held" and report["sources"][0]["hold"]["removing"] == 12
    allowed = own("sync", "--allow-removals", "svc")
    assert allowed.exit_code == 0, allowed.output
    assert "hold #1 ended: removals allowed by cli:" in allowed.output
    assert "12 removed" in allowed.output


def test_a_source_removed_from_the_config_is_announced_then_removed_on_request(
    own: Callable[..., Result], tmp_path: Path
) -> None:
    own.configure("svc", "old")  # type: ignore[attr-defined]
    _components(tmp_path / "svc", ["a"])
    _components(tmp_path / "old", ["b", "c"])
    own("sync")
    own.configure("svc")  # type: ignore[attr-defined]
    kept = own("sync")
    assert kept.exit_code == 0
    assert "old is no longer in greenroom.yaml; its 2 entities stay, orphaned, until" in (
        kept.output
    )
    removed = own("sync", "--allow-removals", "old")
    assert "old (2 entities): removed: allowed by cli:" in removed.output
    assert "component:default/b" not in own("catalog", "search", "b").output


def test_allow_removals_of_an_unknown_source_is_refused(own: Callable[..., Result]) -> None:
    own.configure("svc")  # type: ignore[attr-defined]
    result = own("sync", "--allow-removals", "nope")
    assert result.exit_code == 1
    assert "ConfigError: --allow-removals: no catalog source named nope" in result.output


def test_an_ad_hoc_backstage_source_takes_its_token_from_the_environment(
    own: Callable[..., Result],
) -> None:
    own.configure()  # type: ignore[attr-defined]
    group = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {"name": "team-a", "uid": "u", "etag": "e"},
        "spec": {"type": "team", "children": []},
        "relations": [],
    }
    with serve_backstage(FakeBackstage([group], token="t0ken")) as fake:
        refused = own("sync", "--source", f"backstage+{fake.url}")
        synced = own(
            "sync", "--source", f"backstage+{fake.url}", env={"GREENROOM_BACKSTAGE_TOKEN": "t0ken"}
        )
    assert refused.exit_code == 1
    assert "GREENROOM_BACKSTAGE_TOKEN for greenroom sync --source backstage+URL" in refused.output
    assert synced.exit_code == 0, synced.output
    assert fake.requests[-2]["auth"] == "Bearer t0ken"
    assert "t0ken" not in synced.output
