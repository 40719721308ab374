"""``kubernetes.sweep`` as a job: scheduled every ``sweep_interval_minutes`` when clusters are
configured, and run by a real worker (in its child process) it posts what it found."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.capabilities import job_registry
from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi
from bot.loopback.slack import LoopbackSlack
from catalog.database import create_database_engine
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from commands.k8s.jobs import KUBERNETES_SWEEP
from jobs import JobRegistry, Worker, plan_schedules, request_run
from runtime.process import Runtime
from runtime.settings import load_settings
from tests.jobs.conftest import FAST, eventually, runs


def settings_for(tmp_path: Path, database_url: str, **extra: Any) -> Any:
    return load_settings(None, environ={}, database_url=database_url, data_dir=tmp_path, **extra)


def test_the_sweep_runs_every_interval_when_clusters_are_configured(
    tmp_path: Path, database_url: str
) -> None:
    registry: JobRegistry = job_registry()
    cluster = {"name": "prod", "type": "kubeconfig", "kubeconfig": "kubeconfig.yaml"}
    configured = settings_for(
        tmp_path,
        database_url,
        kubernetes={"clusters": [cluster], "sweep_interval_minutes": 7},
    )

    [planned] = [
        s for s in plan_schedules(registry, configured).schedules if s.kind == "kubernetes.sweep"
    ]
    assert (planned.id, planned.spec.expression) == (KUBERNETES_SWEEP, "every 7m")
    plain = plan_schedules(registry, settings_for(tmp_path, database_url))
    assert KUBERNETES_SWEEP not in {s.id for s in plain.schedules}


@pytest.fixture
def cluster() -> Iterator[FakeKubernetesApi]:
    with FakeKubernetesApi() as api:
        api.add(k.deployment("payments-api", replicas=2, ready=0))
        yield api


def test_a_worker_runs_the_sweep_and_posts_the_new_problem(
    tmp_path: Path, database_url: str, engine: Engine, cluster: FakeKubernetesApi
) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "catalog-info.yaml").write_text(k.ONE_SERVICE_CATALOG)
    sync_catalog(engine, [DirectorySource("test", tmp_path / "catalog")])
    kubeconfig = cluster.kubeconfig(tmp_path / "kubeconfig.yaml")
    with LoopbackSlack() as slack:
        settings = load_settings(
            None,
            environ={"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url},
            database_url=database_url,
            data_dir=tmp_path,
            kubernetes={
                "clusters": [{"name": "prod", "type": "kubeconfig", "kubeconfig": str(kubeconfig)}]
            },
            worker=FAST | {"schedules": {KUBERNETES_SWEEP: "off"}},
        )
        runtime = Runtime(settings, create_database_engine(database_url))
        worker = Worker(runtime, registry=job_registry(settings))
        worker.start()
        try:
            run_id = request_run(worker.engine, KUBERNETES_SWEEP, {}, requested_by="test")
            [row] = eventually(
                lambda: (
                    runs(worker.engine, id=run_id, status="succeeded")
                    or runs(worker.engine, id=run_id, status="failed")
                ),
                timeout=60,
            )
        finally:
            worker.stop(grace=0)
            worker.engine.dispose()
        posted = slack.calls("chat.postMessage")

    assert row.status == "succeeded", row.error
    assert (row.result["posted"], row.result["statuses"]) == (1, {"failing": 1})
    assert [c.args["channel"] for c in posted] == ["C0PAYMENTS"]
    assert "2 of 2 replicas not ready" in str(posted[0].args["blocks"])
