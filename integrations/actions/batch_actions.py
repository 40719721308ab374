"""Kubernetes actions on an entity's batch work:

- ``pause`` / ``resume``: a CronJob's ``spec.suspend``;
- ``rerun``: a failed Job again from its template (its generated selector and controller-uid
  labels removed), or a CronJob's job now, as ``kubectl create job --from=cronjob/x`` does.

Templates are read at the moment of the change and never stored: they carry env values."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from catalog import Entity
from integrations.actions.errors import ActionRefused
from integrations.actions.model import Outcome, Plan, Target
from integrations.actions.registry import ActionContext, register_action
from integrations.actions.workloads import WorkloadAction, images_of, wait_until

__all__ = ["PauseAction", "RerunAction", "ResumeAction"]

_JOB_LABELS = (
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
)


class _SuspendAction(WorkloadAction):
    target_kinds = ("CronJob",)
    suspend: bool

    def plan(
        self, ctx: ActionContext, entity: Entity, target: Target, params: Mapping[str, str]
    ) -> Plan:
        obj = self.live(ctx, target)
        spec = obj.get("spec") or {}
        now = bool(spec.get("suspend"))
        if now == self.suspend:
            state = "paused" if now else "running on its schedule"
            raise ActionRefused(f"CronJob {target.name} is already {state}.")
        verb = "Pause" if self.suspend else "Resume"
        effect = (
            "no new Jobs start until it is resumed; running ones finish"
            if self.suspend
            else f"Jobs start again on its schedule ({spec.get('schedule')})"
        )
        return Plan(
            self.name,
            target,
            f"{verb} cronjob {target.name} in {target.cluster}/{target.namespace}: {effect}",
            (f"spec.suspend: {str(now).lower()} → {str(self.suspend).lower()}",),
            before={"suspend": now},
            after={"suspend": self.suspend},
            switch=self.name,
        )

    def apply(self, ctx: ActionContext, entity: Entity, plan: Plan) -> Mapping[str, Any]:
        target = plan.target
        assert target.namespace is not None
        body = {"spec": {"suspend": self.suspend}}
        answer = self.writer(ctx, target).patch(target.kind, target.namespace, target.name, body)
        return {"suspend": (answer.get("spec") or {}).get("suspend")}

    def verify(self, ctx: ActionContext, entity: Entity, plan: Plan, *, deadline: float) -> Outcome:
        def check() -> tuple[bool, str]:
            now = bool((self.live(ctx, plan.target).get("spec") or {}).get("suspend"))
            return now == self.suspend, f"spec.suspend is {str(now).lower()}"

        done, how, seconds = wait_until(check, deadline=deadline)
        verb = "Paused" if self.suspend else "Resumed"
        if done:
            return Outcome(True, f"{verb}: {how}.", {"suspend": self.suspend}, True, seconds)
        return Outcome(False, f"Not {verb.lower()}: {how}.", {}, False, seconds)


@register_action
class PauseAction(_SuspendAction):
    """Suspend a CronJob: no new runs until resumed."""

    name = "pause"
    title = "Pause"
    description = "Stop a CronJob from starting new Jobs (spec.suspend)"
    suspend = True


@register_action
class ResumeAction(_SuspendAction):
    """Unsuspend a CronJob."""

    name = "resume"
    title = "Resume"
    description = "Let a paused CronJob start Jobs on its schedule again"
    suspend = False


@register_action
class RerunAction(WorkloadAction):
    """A failed Job again from its template, or a CronJob's job now."""

    name = "rerun"
    title = "Re-run"
    description = "Run a failed Job again from its template, or a CronJob's job now"
    target_kinds = ("Job", "CronJob")

    def offers(self, obj: Mapping[str, Any]) -> bool:
        if (obj.get("kind") or "") == "CronJob" or "jobTemplate" in (obj.get("spec") or {}):
            return True
        return _failed(obj)

    def plan(
        self, ctx: ActionContext, entity: Entity, target: Target, params: Mapping[str, str]
    ) -> Plan:
        obj = self.live(ctx, target)
        if target.kind == "Job":
            if not _failed(obj):
                raise ActionRefused(
                    f"Job {target.name} did not fail"
                    + (" (it is still running)" if (obj.get("status") or {}).get("active") else "")
                    + "; only failed Jobs are re-run."
                )
            template = (obj.get("spec") or {}).get("template") or {}
        else:
            template = (((obj.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}).get(
                "template"
            ) or {}
        name = _new_job_name(target)
        source = "its template" if target.kind == "Job" else "its jobTemplate"
        return Plan(
            self.name,
            target,
            f"Start Job {name} in {target.cluster}/{target.namespace} from "
            f"{target.kind.lower()} {target.name}'s {source.split()[-1]}",
            (
                f"new Job {name}, a copy of {target.kind.lower()} {target.name}'s {source[4:]}",
                "images " + ", ".join(images_of(template)),
            ),
            before={},
            after={"job": name},
            switch=self.name,
        )

    def apply(self, ctx: ActionContext, entity: Entity, plan: Plan) -> Mapping[str, Any]:
        target = plan.target
        assert target.namespace is not None
        obj = self.live(ctx, target)
        meta = obj.get("metadata") or {}
        if target.kind == "Job":
            spec = copy.deepcopy(obj.get("spec") or {})
            spec.pop("selector", None)
            spec.pop("manualSelector", None)
            labels = spec.get("template", {}).get("metadata", {}).get("labels") or {}
            for key in _JOB_LABELS:
                labels.pop(key, None)
            job_labels = {
                k: v for k, v in (meta.get("labels") or {}).items() if k not in _JOB_LABELS
            }
            annotations = {"greenroom.dev/rerun-of": target.name}
            owners: list[dict[str, Any]] = []
        else:
            template = (obj.get("spec") or {}).get("jobTemplate") or {}
            spec = copy.deepcopy(template.get("spec") or {})
            job_labels = dict((template.get("metadata") or {}).get("labels") or {})
            annotations = {"cronjob.kubernetes.io/instantiate": "manual"}
            owners = [
                {
                    "apiVersion": "batch/v1",
                    "kind": "CronJob",
                    "name": target.name,
                    "uid": meta.get("uid"),
                    "controller": True,
                }
            ]
        body: dict[str, Any] = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": plan.after["job"],
                "namespace": target.namespace,
                "labels": job_labels,
                "annotations": annotations,
            },
            "spec": spec,
        }
        if owners:
            body["metadata"]["ownerReferences"] = owners
        answer = self.writer(ctx, target).create_job(target.namespace, body)
        return {"job": (answer.get("metadata") or {}).get("name")}

    def verify(self, ctx: ActionContext, entity: Entity, plan: Plan, *, deadline: float) -> Outcome:
        job = Target("Job", str(plan.after["job"]), plan.target.cluster, plan.target.namespace)

        def check() -> tuple[bool, str]:
            assert job.namespace is not None
            status = self.writer(ctx, job).get("Job", job.namespace, job.name).get("status") or {}
            if status.get("succeeded"):
                return True, "it already succeeded"
            if status.get("active"):
                return True, "it is running"
            if status.get("failed"):
                return True, "it started and a pod failed"
            return False, "no pod has started yet"

        done, how, seconds = wait_until(check, deadline=deadline)
        after = {"job": job.name}
        if done:
            return Outcome(True, f"Job {job.name} started: {how}.", after, True, seconds)
        return Outcome(False, f"Job {job.name} was created but {how}.", after, False, seconds)


def _failed(obj: Mapping[str, Any]) -> bool:
    status = obj.get("status") or {}
    conditions = status.get("conditions") or []
    if any(c.get("type") == "Failed" and c.get("status") == "True" for c in conditions):
        return True
    return bool(status.get("failed")) and not status.get("active") and not status.get("succeeded")


def _new_job_name(target: Target) -> str:
    suffix = datetime.now(UTC).strftime("%H%M%S")
    tag = "rerun" if target.kind == "Job" else "manual"
    return f"{target.name[: 63 - len(tag) - len(suffix) - 2]}-{tag}-{suffix}"
