"""run-workflow: GitHub workflow_dispatch and GitLab pipelines against the loopback hosts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.loopback.github_api import FakeGitHub
from bot.loopback.gitlab_api import FakeGitLab
from catalog import parse_ref
from integrations.actions import ActionRefused, ActionService, Target
from integrations.actions.audit import read_audit
from integrations.repositories import RepositoriesSettings, RepositoryHostSettings
from tests.integrations.actions.conftest import COMPANY, World, actor

ALICE = actor("alice", "U0ALICE")
SERVICE = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations: {github.com/project-slug: acme/checkout}
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations: {gitlab.com/project-slug: acme/ledger}
spec: {type: service, lifecycle: production, owner: payments}
"""
CHECKOUT = parse_ref("component:checkout")


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[tuple[FakeGitHub, FakeGitLab]]:
    with FakeGitHub(tmp_path / "gh") as github, FakeGitLab(tmp_path / "gl") as gitlab:
        github.seed_repository("acme/checkout", {"README.md": "hi"})
        github.add_workflow("acme/checkout", "deploy.yml")
        gitlab.seed_repository("acme/ledger", {"README.md": "hi"})
        yield github, gitlab


def _service(world: World, host: RepositoryHostSettings) -> ActionService:
    world.write(COMPANY + SERVICE)
    return ActionService(
        world.engine,
        world.catalog,
        world.service.settings,
        repositories=RepositoriesSettings(hosts=[host]),
    )


def test_a_github_workflow_is_dispatched_with_inputs_and_its_run_is_seen(
    world: World, hosts: tuple[FakeGitHub, FakeGitLab]
) -> None:
    github, _ = hosts
    token = SecretStr("ghp_fake_token_0123456789")
    host = RepositoryHostSettings(url=github.url, type="github", token_env="GH", token=token)
    service = _service(world, host)
    [target] = service.targets("run-workflow", CHECKOUT)
    assert target == Target("Repository", "acme/checkout")
    params = {"workflow": "deploy.yml", "inputs": "environment=staging, dry=true"}
    preview = service.preview(ALICE, "run-workflow", CHECKOUT, target, params)
    assert "deploy.yml" in preview.plan.summary and "on main" in preview.plan.summary
    outcome = service.run(ALICE, "run-workflow", CHECKOUT, target, params)
    assert outcome.ok and outcome.link and "/actions/runs/" in outcome.link, outcome
    assert github.runs[0]["inputs"] == {"environment": "staging", "dry": "true"}
    with pytest.raises(ActionRefused, match="looks like a secret"):
        service.preview(
            ALICE,
            "run-workflow",
            CHECKOUT,
            target,
            {"workflow": "deploy.yml", "inputs": "api_token=x"},
        )
    for row in read_audit(world.engine, entity=CHECKOUT):
        assert "ghp_fake_token" not in str(row.to_json())


def test_a_gitlab_pipeline_is_created(world: World, hosts: tuple[FakeGitHub, FakeGitLab]) -> None:
    _, gitlab = hosts
    token = SecretStr("glpat-fake-token-0123456789")
    host = RepositoryHostSettings(url=gitlab.url, type="gitlab", token_env="GL", token=token)
    service = _service(world, host)
    target = Target("Repository", "acme/ledger")
    ledger = parse_ref("component:ledger")
    outcome = service.run(ALICE, "run-workflow", ledger, target, {"inputs": "LEVEL=2"})
    assert outcome.ok and "Pipeline" in outcome.message, outcome
    assert gitlab.pipelines[0]["variables"] == [{"key": "LEVEL", "value": "2"}]


def test_an_unknown_workflow_is_refused(world: World, hosts: tuple[FakeGitHub, FakeGitLab]) -> None:
    github, _ = hosts
    token = SecretStr("ghp_fake_token_0123456789")
    host = RepositoryHostSettings(url=github.url, type="github", token_env="GH", token=token)
    service = _service(world, host)
    with pytest.raises(ActionRefused, match="404"):
        service.preview(
            ALICE,
            "run-workflow",
            CHECKOUT,
            Target("Repository", "acme/checkout"),
            {"workflow": "nope.yml"},
        )
