"""CronJobs and Jobs as a cluster lists them (the loopback objects' real shapes): the last
Job's failure and its pods' reason, suspended CronJobs, missed schedules, last success; and a
cluster that fails is named, not skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import KIND_TO_RESOURCE
from catalog import parse_ref
from integrations.errors import ClusterUnreachable
from integrations.kubernetes.clients import ClusterConnection
from integrations.kubernetes.config import KubeconfigClusterConfig
from integrations.pipelines.cronjobs import cluster_report
from integrations.pipelines.model import PipelineSpec, RunState

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
SPEC = PipelineSpec(
    parse_ref("component:nightly-export"),
    "Nightly export",
    None,
    kubernetes_id="nightly-export",
    kubernetes_namespace="data",
)


class Listing:
    """A cluster holding these objects (what ``list_batch`` of the real client returns)."""

    def __init__(self, *objects: dict[str, Any], fail: str | None = None) -> None:
        self.objects = objects
        self.fail = fail

    def list_batch(
        self, resource: str, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[dict[str, Any]]:
        if self.fail:
            raise ClusterUnreachable(self.fail)
        key, value = label_selector.split("=")
        return [
            o
            for o in self.objects
            if KIND_TO_RESOURCE[o["kind"]] == resource
            and o["metadata"]["namespace"] == namespace
            and o["metadata"]["labels"].get(key) == value
        ]


def report(listing: Listing) -> Any:
    config = KubeconfigClusterConfig(name="prod-eu", kubeconfig=Path("kubeconfig"))
    connection = ClusterConnection(config, listing)  # type: ignore[arg-type]
    return cluster_report(
        connection, SPEC, "backstage.io/kubernetes-id=nightly-export", now=NOW, timeout=1
    )


def test_a_job_that_was_oomkilled_is_critical_with_the_memory_fix() -> None:
    last = NOW - timedelta(hours=9)
    found = report(
        Listing(
            k.cronjob("nightly-export", last_schedule=last, last_success=last - timedelta(days=1)),
            k.job(
                "nightly-export-2", cronjob_name="nightly-export", started=last, outcome="Failed"
            ),
            k.job_pod("nightly-export-2", labels={k.KUBE_ID: "nightly-export"}, finished=last),
        )
    )

    [finding] = found.findings
    assert finding.severity.value == "critical" and finding.detail == "OOMKilled"
    assert "killed for using too much memory (OOMKilled)" in finding.title
    assert "Raise the container's memory limit" in finding.fix
    assert found.runs[0].state is RunState.FAILED
    assert found.runs[0].failures[0].reason == "OOMKilled"
    assert found.last_success == last - timedelta(days=1)
    assert k.SECRET_VALUE not in repr(found)


def test_a_deadline_exceeded_job_says_which_limit() -> None:
    last = NOW - timedelta(hours=9)
    found = report(
        Listing(
            k.cronjob("nightly-export", last_schedule=last),
            k.job(
                "nightly-export-2",
                cronjob_name="nightly-export",
                started=last,
                outcome="Failed",
                reason="DeadlineExceeded",
            ),
        )
    )

    assert "activeDeadlineSeconds" in found.findings[0].fix


def test_a_suspended_cronjob_is_a_warning_with_the_resume_command() -> None:
    found = report(Listing(k.cronjob("nightly-export", suspend=True, last_schedule=NOW)))

    [finding] = found.findings
    assert finding.rule == "cronjob-suspended" and found.paused
    assert "kubectl patch cronjob nightly-export -n data" in finding.fix


def test_a_missed_schedule_is_a_warning() -> None:
    found = report(
        Listing(
            k.cronjob("nightly-export", schedule="0 3 * * *", last_schedule=NOW - timedelta(days=2))
        )
    )

    assert [f.rule for f in found.findings] == ["cronjob-missed-schedule"]
    assert found.interval == timedelta(days=1)


def test_a_cluster_without_the_pipeline_says_nothing_and_a_failing_one_is_named() -> None:
    assert report(Listing()) is None
    failed = report(Listing(fail="prod-eu did not answer: timed out after 1 s"))
    assert failed.error == "prod-eu did not answer: timed out after 1 s"
