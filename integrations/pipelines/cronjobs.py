"""Kubernetes CronJobs and Jobs (what ``scaffold_templates/data-job`` deploys): last schedule,
last success, failed Jobs and why their pods ended (OOMKilled, DeadlineExceeded), suspended
CronJobs and missed schedules, each a finding with a fix as for Deployments.

Reads go through integrations/kubernetes (the same clusters, clients and deadlines). Only the
fields below are kept: a CronJob's template carries environment values, never copied here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from integrations.errors import ClusterUnreachable
from integrations.kubernetes.discovery import KUBERNETES_ID, namespaces_to_read
from integrations.kubernetes.finding import Severity
from integrations.pipelines.airflow import parse_time
from integrations.pipelines.model import (
    EngineReport,
    PipelineFinding,
    PipelineSpec,
    Run,
    RunState,
    TaskFailure,
)
from integrations.pipelines.schedules import schedule_from_cron

if TYPE_CHECKING:
    from integrations.kubernetes.clients import ClusterConnection

__all__ = ["BatchLister", "cluster_report", "selector_of"]

_STARTING_LAG = timedelta(minutes=15)


class BatchLister(Protocol):
    """What a cluster client offers for batch objects (``KubernetesClusterClient.list_batch``)."""

    def list_batch(
        self, resource: str, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class _Job:
    name: str
    namespace: str
    owner: str | None
    state: RunState
    started: datetime | None
    ended: datetime | None
    reason: str | None
    message: str | None


@dataclass(frozen=True, slots=True)
class _PodEnd:
    job: str
    container: str
    reason: str
    exit_code: int | None


def selector_of(spec: PipelineSpec) -> str | None:
    """The label selector that finds a pipeline's CronJobs, Jobs and pods."""
    if spec.label_selector:
        return spec.label_selector
    if spec.kubernetes_id:
        return f"{KUBERNETES_ID}={spec.kubernetes_id}"
    return None


def cluster_report(
    connection: ClusterConnection,
    spec: PipelineSpec,
    selector: str,
    *,
    now: datetime,
    timeout: float,
) -> EngineReport | None:
    """What one cluster says of the pipeline's CronJobs and Jobs; None when it has none there."""
    source = f"kubernetes {connection.name}"
    if connection.client is None:
        return EngineReport("kubernetes", source, selector, error=connection.error or "no client")
    lister = connection.client
    if not hasattr(lister, "list_batch"):
        return None
    namespaces = namespaces_to_read(spec.kubernetes_namespace, connection.config.namespaces)
    cronjobs: list[dict[str, Any]] = []
    jobs: list[dict[str, Any]] = []
    pods: list[dict[str, Any]] = []
    try:
        for namespace in namespaces:
            cronjobs += lister.list_batch("cronjobs", namespace, selector, timeout=timeout)
            jobs += lister.list_batch("jobs", namespace, selector, timeout=timeout)
            if any(_job(j).state is RunState.FAILED for j in jobs):
                pods += lister.list_batch("pods", namespace, selector, timeout=timeout)
    except ClusterUnreachable as error:
        return EngineReport("kubernetes", source, selector, error=error.user_message)
    if not cronjobs and not jobs:
        return None
    return _report(source, cronjobs, [_job(j) for j in jobs], _pod_ends(pods), now)


def _report(
    source: str,
    cronjobs: list[dict[str, Any]],
    jobs: list[_Job],
    ends: list[_PodEnd],
    now: datetime,
) -> EngineReport:
    jobs.sort(key=lambda j: j.started or datetime.min.replace(tzinfo=now.tzinfo), reverse=True)
    findings: list[PipelineFinding] = []
    subject = ", ".join(_name(c) for c in cronjobs) or ", ".join(j.name for j in jobs[:1])
    last_success = max(
        (j.ended for j in jobs if j.state is RunState.SUCCESS and j.ended), default=None
    )
    schedule_text, interval, paused = None, None, False
    for item in cronjobs:
        name, namespace = _name(item), _namespace(item)
        spec, status = item.get("spec") or {}, item.get("status") or {}
        recorded = parse_time(status.get("lastSuccessfulTime"))
        if recorded and (last_success is None or recorded > last_success):
            last_success = recorded
        try:
            schedule = schedule_from_cron(spec.get("schedule"), timezone=spec.get("timeZone"))
        except ValueError as error:
            schedule = None
            findings.append(
                PipelineFinding(
                    "cronjob-schedule-invalid",
                    Severity.WARNING,
                    source,
                    f"{namespace}/{name}",
                    f"CronJob {name}'s schedule cannot be read",
                    str(error),
                    "Write spec.schedule as five cron fields (minute hour day month weekday).",
                )
            )
        if schedule is not None:
            schedule_text, interval = str(schedule), schedule.interval
        if spec.get("suspend"):
            paused = True
            findings.append(
                PipelineFinding(
                    "cronjob-suspended",
                    Severity.WARNING,
                    source,
                    f"{namespace}/{name}",
                    f"CronJob {name} is suspended",
                    "A suspended CronJob starts no Jobs: what it writes goes stale.",
                    f"Resume it if that was not meant: kubectl patch cronjob {name} -n "
                    f'{namespace} -p \'{{"spec":{{"suspend":false}}}}\'',
                )
            )
        elif schedule is not None:
            due = schedule.last_due(now - _STARTING_LAG)
            scheduled = parse_time(status.get("lastScheduleTime"))
            if due is not None and (scheduled is None or scheduled < due):
                findings.append(
                    PipelineFinding(
                        "cronjob-missed-schedule",
                        Severity.WARNING,
                        source,
                        f"{namespace}/{name}",
                        f"CronJob {name} missed its schedule (due {due:%Y-%m-%d %H:%M} UTC)",
                        "Kubernetes did not start a Job that was due: the controller skips a "
                        "run when it cannot start it within startingDeadlineSeconds, or when "
                        "concurrencyPolicy Forbid meets a Job still running.",
                        f"kubectl get jobs -n {namespace} -l {KUBERNETES_ID} and kubectl "
                        f"describe cronjob {name} -n {namespace} show why.",
                    )
                )
    runs = tuple(_run(j, ends) for j in jobs)
    newest = jobs[0] if jobs else None
    if newest is not None and newest.state is RunState.FAILED:
        findings.append(_failed_job(source, newest, ends))
    return EngineReport(
        "kubernetes",
        source,
        subject,
        runs=runs,
        last_success=last_success,
        schedule=schedule_text,
        interval=interval,
        paused=paused,
        findings=tuple(findings),
    )


def _failed_job(source: str, job: _Job, ends: list[_PodEnd]) -> PipelineFinding:
    mine = [e for e in ends if e.job == job.name]
    oom = next((e for e in mine if e.reason == "OOMKilled"), None)
    reason = oom or (mine[0] if mine else None)
    if oom is not None:
        return PipelineFinding(
            "job-failed",
            Severity.CRITICAL,
            source,
            job.name,
            f"The last Job {job.name} failed: container {oom.container} was killed for using "
            "too much memory (OOMKilled)",
            f"Its pods ended OOMKilled (exit code {oom.exit_code}); the Job gave up "
            f"({job.reason or 'BackoffLimitExceeded'}).",
            "Raise the container's memory limit in the CronJob's jobTemplate (resources.limits."
            f"memory), or process the data in smaller batches. kubectl describe job {job.name} "
            f"-n {job.namespace} shows the pods.",
            detail="OOMKilled",
        )
    if job.reason == "DeadlineExceeded":
        why, fix = (
            "The Job ran longer than its activeDeadlineSeconds and was stopped.",
            "Find what made this run slow, or raise spec.jobTemplate.spec.activeDeadlineSeconds.",
        )
    else:
        ended = (
            f" (container {reason.container}: {reason.reason}, exit code {reason.exit_code})"
            if reason
            else ""
        )
        why = f"{job.message or 'The Job failed'}{ended}."
        fix = f"Read the failed pod's log: kubectl logs -n {job.namespace} job/{job.name}"
    return PipelineFinding(
        "job-failed",
        Severity.CRITICAL,
        source,
        job.name,
        f"The last Job {job.name} failed ({job.reason or 'Failed'})",
        why,
        fix,
        detail=job.reason or "",
    )


def _run(job: _Job, ends: list[_PodEnd]) -> Run:
    failures = tuple(
        TaskFailure(e.container, "failed", reason=e.reason) for e in ends if e.job == job.name
    )
    kind = "scheduled" if job.owner else "manual"
    return Run(job.name, job.state, job.started, job.ended, kind, failures[:3])


def _job(item: dict[str, Any]) -> _Job:
    meta, status = item.get("metadata") or {}, item.get("status") or {}
    conditions = {
        c.get("type"): c
        for c in status.get("conditions") or []
        if isinstance(c, dict) and c.get("status") == "True"
    }
    owner = next(
        (o.get("name") for o in meta.get("ownerReferences") or [] if o.get("kind") == "CronJob"),
        None,
    )
    if "Failed" in conditions:
        state, cond = RunState.FAILED, conditions["Failed"]
    elif "Complete" in conditions:
        state, cond = RunState.SUCCESS, conditions["Complete"]
    elif status.get("active"):
        state, cond = RunState.RUNNING, {}
    else:
        state, cond = RunState.QUEUED, {}
    ended = parse_time(status.get("completionTime")) or parse_time(cond.get("lastTransitionTime"))
    return _Job(
        str(meta.get("name") or "?"),
        str(meta.get("namespace") or "default"),
        owner,
        state,
        parse_time(status.get("startTime")),
        ended if state in (RunState.SUCCESS, RunState.FAILED) else None,
        cond.get("reason"),
        cond.get("message"),
    )


def _pod_ends(pods: list[dict[str, Any]]) -> list[_PodEnd]:
    ends = []
    for item in pods:
        meta = item.get("metadata") or {}
        labels = meta.get("labels") or {}
        job = labels.get("batch.kubernetes.io/job-name") or labels.get("job-name")
        if not job:
            continue
        for status in (item.get("status") or {}).get("containerStatuses") or []:
            for key in ("state", "lastState"):
                terminated = (status.get(key) or {}).get("terminated") or {}
                if terminated.get("reason") and terminated.get("reason") != "Completed":
                    code = terminated.get("exitCode")
                    ends.append(
                        _PodEnd(
                            str(job),
                            str(status.get("name") or "?"),
                            str(terminated["reason"])[:60],
                            code if isinstance(code, int) else None,
                        )
                    )
                    break
    return ends


def _name(item: dict[str, Any]) -> str:
    return str((item.get("metadata") or {}).get("name") or "?")


def _namespace(item: dict[str, Any]) -> str:
    return str((item.get("metadata") or {}).get("namespace") or "default")
