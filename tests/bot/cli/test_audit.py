"""``greenroom audit``: the actions' audit trail as a table and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner, Result
from sqlalchemy import create_engine

from bot.cli.main import main
from catalog import parse_ref
from integrations.actions import Actor, Target
from integrations.actions.audit import record

CATALOG = {
    "apiVersion": "backstage.io/v1alpha1",
    "kind": "Component",
    "metadata": {"name": "payments-api"},
    "spec": {"type": "service", "lifecycle": "production", "owner": "payments"},
}


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)


def test_audit_prints_the_trail_and_json(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "catalog-info.yaml").write_text(yaml.safe_dump(CATALOG))
    settings = {
        "database_url": "sqlite:///greenroom.db",
        "catalog": {"sources": [{"name": "local", "type": "directory", "path": "catalog"}]},
    }
    config = tmp_path / "greenroom.yaml"
    config.write_text(yaml.safe_dump(settings))
    assert run(config, "sync").exit_code == 0
    assert "No actions recorded" in run(config, "audit", "payments-api").output

    engine = create_engine(f"sqlite:///{tmp_path / 'greenroom.db'}")
    target = Target("Deployment", "payments-api", "prod", "payments")
    actor = Actor("U0ALICE", person=parse_ref("user:alice"), name="Alice Archer")
    record(
        engine,
        event="dry_run",
        action="restart",
        entity=parse_ref("component:payments-api"),
        target=target,
        actor=actor,
        outcome="ok",
        message="Restart deployment payments-api",
        params={"api_token": "hunter2"},
    )
    engine.dispose()

    table = run(config, "audit", "payments-api")
    assert table.exit_code == 0 and "dry_run" in table.output and "Alice Archer" in table.output
    data = json.loads(run(config, "audit", "--json").output)
    assert data[0]["event"] == "dry_run" and data[0]["target"] == target.key
    assert data[0]["actor_slack_id"] == "U0ALICE" and data[0]["params"] == {
        "api_token": "<redacted>"
    }
