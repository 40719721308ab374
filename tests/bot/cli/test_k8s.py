"""``greenroom k8s ENTITY`` and ``greenroom k8s sweep``: the CLI over a config file, a synced
catalog and a fake cluster reached through a kubeconfig next to greenroom.yaml."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from bot.cli.main import main
from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi

CATALOG = [
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {"name": "payments-core", "annotations": {"slack.com/channel": "#payments"}},
        "spec": {"type": "team", "children": []},
    },
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "payments-api", "annotations": {k.KUBE_ID: "payments-api"}},
        "spec": {"type": "service", "lifecycle": "production", "owner": "payments-core"},
    },
]


@pytest.fixture
def api() -> Iterator[FakeKubernetesApi]:
    with FakeKubernetesApi() as fake:
        yield fake


@pytest.fixture
def config(tmp_path: Path, api: FakeKubernetesApi) -> Path:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "catalog-info.yaml").write_text(yaml.safe_dump_all(CATALOG))
    api.kubeconfig(tmp_path / "kubeconfig.yaml", context="eu")
    settings = {
        "database_url": "sqlite:///greenroom.db",
        "catalog": {
            "sources": [
                {
                    "name": "local",
                    "type": "directory",
                    "path": "catalog",
                    "rules": [{"allow": ["User", "Group"]}],
                }
            ]
        },
        "kubernetes": {
            "clusters": [
                {
                    "name": "prod-eu",
                    "type": "kubeconfig",
                    "kubeconfig": "kubeconfig.yaml",
                    "context": "eu",
                }
            ]
        },
    }
    path = tmp_path / "greenroom.yaml"
    path.write_text(yaml.safe_dump(settings))
    assert run(path, "sync").exit_code == 0
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)


def test_k8s_prints_workloads_and_all_healthy(config: Path, api: FakeKubernetesApi) -> None:
    api.add(*k.healthy_service("payments-api"))

    result = run(config, "k8s", "payments-api")

    assert result.exit_code == 0, result.output
    assert "payments-api  healthy" in result.output
    assert "prod-eu" in result.output and "namespace payments" in result.output
    age = (datetime.now(UTC) - (k.NOW - timedelta(days=30))).days
    assert f"3/3    0         3/10  1.4.2  {age}d" in result.output
    assert "all healthy" in result.output


def test_k8s_json_is_the_same_summary(config: Path, api: FakeKubernetesApi) -> None:
    api.add(*k.healthy_service("payments-api"))
    api.add(
        *k.pods_of(
            "payments-api",
            1,
            containers=(k.Container(ready=False, waiting=("CrashLoopBackOff", "back-off")),),
        )
    )

    result = run(config, "k8s", "payments-api", "--json")

    data = json.loads(result.output)
    assert data["status"] == "failing"
    assert data["findings"][0]["rule"] == "container-waiting"
    assert data["clusters"][0]["namespaces"][0]["workloads"][0]["name"] == "payments-api"
    assert k.SECRET_VALUE not in result.output


def test_k8s_names_a_failing_cluster(config: Path, api: FakeKubernetesApi) -> None:
    api.fail(403)

    result = run(config, "k8s", "payments-api")

    assert result.exit_code == 0
    assert "prod-eu: 403 Forbidden: not allowed to list pods in all namespaces" in result.output


def test_k8s_of_an_unknown_entity_fails_with_suggestions(config: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "k8s", "payments-apj"])

    assert result.exit_code == 1
    assert "EntityNotFound" in result.output


def test_k8s_sweep_prints_what_each_channel_would_be_told(
    config: Path, api: FakeKubernetesApi
) -> None:
    api.add(k.deployment("payments-api", replicas=2, ready=0))

    first = run(config, "k8s", "sweep")
    second = run(config, "k8s", "sweep")

    assert "1 failing" in first.output
    told = "NEW      #payments  component:payments-api: Deployment payments-api: 2 of 2 replicas"
    assert told in first.output
    assert "No new or resolved problems." in second.output


def test_k8s_sweep_post_tells_the_team_channel_once(config: Path, api: FakeKubernetesApi) -> None:
    from bot.loopback.slack import LoopbackSlack

    api.add(k.deployment("payments-api", replicas=2, ready=0))
    with LoopbackSlack() as slack:
        env = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url}
        runner = CliRunner(env=env)
        args = ["--config", str(config), "k8s", "sweep", "--post"]
        first = runner.invoke(main, args, catch_exceptions=False)
        second = runner.invoke(main, args, catch_exceptions=False)

        [posted] = slack.calls("chat.postMessage")
    assert first.exit_code == 0 and "Posted 1 of 1 notifications." in first.output
    assert posted.args["channel"] == "#payments"
    assert "Posted 0 of 0 notifications." in second.output


def test_k8s_sweep_post_without_slack_says_what_to_set(
    config: Path, api: FakeKubernetesApi
) -> None:
    result = CliRunner(env={"SLACK_BOT_TOKEN": ""}).invoke(
        main, ["--config", str(config), "k8s", "sweep", "--post"]
    )

    assert result.exit_code == 1
    assert "ConfigError: The health sweep posts to Slack: set SLACK_BOT_TOKEN" in result.output
    assert api.requests == []


def test_k8s_of_a_service_running_only_a_cronjob_names_it(
    config: Path, api: FakeKubernetesApi
) -> None:
    api.add(k.cronjob("payments-api", schedule="*/30 * * * *", suspend=True))

    result = run(config, "k8s", "payments-api")

    assert result.exit_code == 0, result.output
    assert "it runs as 1 CronJob, no Deployment or StatefulSet" in result.output
    assert "CronJob payments-api in prod-eu/data  */30 * * * *  (suspended)" in result.output
    assert "nothing matches" not in result.output
