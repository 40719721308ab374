"""Kubernetes actions on an entity's workloads, as kubectl does them:

- ``restart``: ``kubectl rollout restart`` (the pod template's ``restartedAt`` annotation);
- ``scale``: the ``scale`` subresource, within the HPA's min/max when one targets it; 0 only
  when said so (and never where ``scale-to-zero`` is switched off);
- ``rollback``: ``kubectl rollout undo`` (the previous ReplicaSet by
  ``deployment.kubernetes.io/revision``), naming the image it goes back to;
- ``pause`` / ``resume``: a CronJob's ``spec.suspend``;
- ``rerun``: a failed Job again from its template, or a CronJob's job now (``kubectl create
  job --from=cronjob/x``).

Plans keep only replicas, images, revisions and flags: pod templates carry environment values,
so a template is read again at the moment of the change and never stored."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from catalog import Entity
from integrations.actions.cluster import ClusterWriter
from integrations.actions.errors import ActionFailed, ActionRefused
from integrations.actions.model import FormField, Outcome, Plan, Target
from integrations.actions.registry import Action, ActionContext, register_action
from integrations.kubernetes.discovery import selector_for

__all__ = [
    "PauseAction",
    "RerunAction",
    "RestartAction",
    "ResumeAction",
    "RollbackAction",
    "ScaleAction",
]

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
REVISION = "deployment.kubernetes.io/revision"
_JOB_LABELS = (
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
)
_MAX_REPLICAS = 500
_MAX_PAUSE = 0.25  # seconds between two reads of a rolling workload


class _WorkloadAction(Action):
    """Finding the entity's workloads of ``target_kinds`` in every cluster."""

    def targets(self, ctx: ActionContext, entity: Entity) -> list[Target]:
        if ctx.clusters is None:
            return []
        selector = selector_for(entity)
        if selector is None:
            raise ActionRefused(
                f"{entity.ref.short} has no Kubernetes annotations "
                "(backstage.io/kubernetes-id or -label-selector), so it has no workloads."
            )
        found: list[Target] = []
        problems: list[str] = []
        for cluster in ctx.clusters.names:
            try:
                writer = ctx.clusters.get(cluster)
                for namespace in writer.namespaces(selector.namespace):
                    for kind in self.target_kinds:
                        for obj in writer.list(kind, namespace, selector.label_selector):
                            if self.offers(obj):
                                meta = obj.get("metadata") or {}
                                found.append(
                                    Target(kind, meta["name"], cluster, meta.get("namespace"))
                                )
            except ActionFailed as error:
                problems.append(error.user_message)
        if not found and problems:
            raise ActionFailed(problems[0])
        return sorted(set(found))

    def offers(self, obj: Mapping[str, Any]) -> bool:
        """Whether this object is worth offering (rerun: only failed Jobs)."""
        return True

    def check_target(self, ctx: ActionContext, entity: Entity, target: Target) -> None:
        """The workload must match the entity's selector, in a namespace the cluster allows:
        one list call, not the whole search of ``targets``."""
        selector = selector_for(entity)
        writer = self.writer(ctx, target)
        allowed = writer.namespaces(selector.namespace if selector else None)
        if selector is None or (None not in allowed and target.namespace not in allowed):
            raise ActionRefused(f"{target.kind} {target.name} is not one of {entity.ref.short}'s.")
        found = writer.list(target.kind, target.namespace, selector.label_selector)
        if target.name not in {(o.get("metadata") or {}).get("name") for o in found}:
            raise ActionRefused(
                f"{target.kind} {target.name} in {target.cluster}/{target.namespace} does not "
                f"belong to {entity.ref.short} (its selector is {selector.label_selector})."
            )

    def writer(self, ctx: ActionContext, target: Target) -> ClusterWriter:
        if ctx.clusters is None or target.cluster is None or target.namespace is None:
            raise ActionRefused("This action needs a workload in a configured cluster.")
        if target.kind not in self.target_kinds:
            raise ActionRefused(f"{self.title} works on {', '.join(self.target_kinds)}s only.")
        return ctx.clusters.get(target.cluster)

    def live(self, ctx: ActionContext, target: Target) -> dict[str, Any]:
        assert target.namespace is not None
        return self.writer(ctx, target).get(target.kind, target.namespace, target.name)


def _images(template: Mapping[str, Any]) -> list[str]:
    containers = (template.get("spec") or {}).get("containers") or []
    return [f"{c.get('name')}={c.get('image')}" for c in containers if isinstance(c, dict)]


def _rollout_state(obj: Mapping[str, Any]) -> dict[str, Any]:
    spec, status, meta = obj.get("spec") or {}, obj.get("status") or {}, obj.get("metadata") or {}
    return {
        "replicas": int(spec.get("replicas", 1)),
        "updated": int(status.get("updatedReplicas") or 0),
        "ready": int(status.get("readyReplicas") or 0),
        "available": int(status.get("availableReplicas") or status.get("readyReplicas") or 0),
        "generation": meta.get("generation"),
        "observed": status.get("observedGeneration"),
    }


def _rolled_out(obj: Mapping[str, Any], generation: int | None) -> tuple[bool, str]:
    """kubectl rollout status: the new generation seen, every replica updated and available."""
    s = _rollout_state(obj)
    if generation is not None and (s["observed"] or 0) < generation:
        return False, "the controller has not seen the change yet"
    if s["updated"] < s["replicas"]:
        return False, f"{s['updated']} of {s['replicas']} pods updated"
    if s["available"] < s["replicas"]:
        return False, f"{s['available']} of {s['replicas']} updated pods available"
    return True, f"{s['replicas']} of {s['replicas']} pods updated and available"


def _wait(check: Any, *, deadline: float) -> tuple[bool, str, float]:
    """Poll ``check() -> (done, how)`` until done or the deadline, quickly at first, then four
    times a second: the outcome is known at most 0.25 s after the cluster reports it."""
    started, pause = time.monotonic(), 0.05
    done, how = check()
    while not done and time.monotonic() < deadline:
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 1.5, _MAX_PAUSE)
        done, how = check()
    return done, how, time.monotonic() - started


def _verify_rollout(
    action: _WorkloadAction, ctx: ActionContext, plan: Plan, *, deadline: float, what: str
) -> Outcome:
    generation = plan.after.get("generation")

    def check() -> tuple[bool, str]:
        return _rolled_out(action.live(ctx, plan.target), generation)

    done, how, seconds = _wait(check, deadline=deadline)
    if done:
        return Outcome(True, f"{what} finished: {how}.", {"state": how}, True, seconds)
    return Outcome(
        False,
        f"{what} was sent but has not finished after {seconds:.0f} s: {how}. "
        "Check the workload's events (`k8s` answer).",
        {"state": how},
        False,
        seconds,
    )


@register_action
class RestartAction(_WorkloadAction):
    """``kubectl rollout restart``: every pod replaced, one by one, by the rollout strategy."""

    name = "restart"
    title = "Restart"
    description = "Replace every pod of a Deployment or StatefulSet, one by one"
    target_kinds = ("Deployment", "StatefulSet")

    def plan(
        self, ctx: ActionContext, entity: Entity, target: Target, params: Mapping[str, str]
    ) -> Plan:
        obj = self.live(ctx, target)
        spec = obj.get("spec") or {}
        if spec.get("paused"):
            raise ActionRefused(f"{target.kind} {target.name} is paused; resume its rollout first.")
        replicas = int(spec.get("replicas", 1))
        if replicas == 0:
            raise ActionRefused(f"{target.kind} {target.name} has 0 replicas: nothing to restart.")
        annotations = ((spec.get("template") or {}).get("metadata") or {}).get("annotations") or {}
        previous = annotations.get(RESTARTED_AT) or "never"
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Plan(
            self.name,
            target,
            f"Restart {target.kind.lower()} {target.name} in {target.cluster}/{target.namespace}: "
            f"{replicas} pod{'s' if replicas != 1 else ''} replaced one by one",
            (
                f"pod template annotation {RESTARTED_AT}: {previous} → {now}",
                f"{replicas} pods replaced by the rollout strategy; the images stay "
                + ", ".join(_images(spec.get("template") or {})),
            ),
            before={"restartedAt": previous, "replicas": replicas},
            after={"restartedAt": now, "replicas": replicas},
            switch=self.name,
        )

    def apply(self, ctx: ActionContext, entity: Entity, plan: Plan) -> Mapping[str, Any]:
        target = plan.target
        assert target.namespace is not None
        annotations = {RESTARTED_AT: plan.after["restartedAt"]}
        body = {"spec": {"template": {"metadata": {"annotations": annotations}}}}
        answer = self.writer(ctx, target).patch(target.kind, target.namespace, target.name, body)
        return {"generation": (answer.get("metadata") or {}).get("generation")}

    def verify(self, ctx: ActionContext, entity: Entity, plan: Plan, *, deadline: float) -> Outcome:
        return _verify_rollout(self, ctx, plan, deadline=deadline, what="The restart")


@register_action
class ScaleAction(_WorkloadAction):
    """Set a workload's replicas, within its HPA's bounds; 0 only when asked for explicitly."""

    name = "scale"
    title = "Scale"
    description = "Set the number of replicas of a Deployment or StatefulSet"
    target_kinds = ("Deployment", "StatefulSet")
    fields = (FormField("replicas", "Replicas", "number", hint="how many pods; 0 stops them all"),)

    def plan(
        self, ctx: ActionContext, entity: Entity, target: Target, params: Mapping[str, str]
    ) -> Plan:
        wanted = int(self.check_params(params)["replicas"])
        obj = self.live(ctx, target)
        current = int((obj.get("spec") or {}).get("replicas", 1))
        if wanted == current:
            raise ActionRefused(f"{target.kind} {target.name} already has {current} replicas.")
        assert target.namespace is not None
        hpa = self._autoscaler(ctx, target, obj)
        warnings: list[str] = []
        changes = [f"spec.replicas: {current} → {wanted}"]
        if hpa is not None:
            spec = hpa.get("spec") or {}
            low, high = int(spec.get("minReplicas") or 1), int(spec.get("maxReplicas") or 0)
            name = (hpa.get("metadata") or {}).get("name")
            if not low <= wanted <= high:
                raise ActionRefused(
                    f"The HorizontalPodAutoscaler {name} keeps {target.name} between {low} and "
                    f"{high} replicas; choose a number in that range, or change the HPA."
                )
            warnings.append(
                f"The HorizontalPodAutoscaler {name} ({low}-{high}) may change it again with load."
            )
        elif wanted > _MAX_REPLICAS:
            raise ActionRefused(f"{wanted} replicas is more than the limit ({_MAX_REPLICAS}).")
        if wanted == 0:
            warnings.insert(
                0,
                "Scaling to 0 stops every pod: the service answers nothing until it is scaled "
                "up again.",
            )
        return Plan(
            self.name,
            target,
            f"Scale {target.kind.lower()} {target.name} in {target.cluster}/{target.namespace} "
            f"from {current} to {wanted} replicas",
            tuple(changes),
            before={"replicas": current},
            after={"replicas": wanted},
            warnings=tuple(warnings),
            params={"replicas": str(wanted)},
            switch="scale-to-zero" if wanted == 0 else self.name,
        )

    def _autoscaler(
        self, ctx: ActionContext, target: Target, obj: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        writer = self.writer(ctx, target)
        for hpa in writer.list("HorizontalPodAutoscaler", target.namespace, ""):
            ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
            if ref.get("kind") == target.kind and ref.get("name") == target.name:
                return hpa
        return None

    def apply(self, ctx: ActionContext, entity: Entity, plan: Plan) -> Mapping[str, Any]:
        target = plan.target
        assert target.namespace is not None
        writer = self.writer(ctx, target)
        wanted = int(plan.after["replicas"])
        answer = writer.scale(target.kind, target.namespace, target.name, wanted)
        return {"replicas": (answer.get("spec") or {}).get("replicas")}

    def verify(self, ctx: ActionContext, entity: Entity, plan: Plan, *, deadline: float) -> Outcome:
        wanted = int(plan.after["replicas"])

        def check() -> tuple[bool, str]:
            s = _rollout_state(self.live(ctx, plan.target))
            ready = s["ready"]
            if s["replicas"] != wanted:
                return False, f"spec.replicas is {s['replicas']}, someone changed it meanwhile"
            if wanted == 0:
                return ready == 0, f"{ready} pods still running"
            return ready >= wanted, f"{ready} of {wanted} pods ready"

        done, how, seconds = _wait(check, deadline=deadline)
        if done:
            return Outcome(True, f"Scaled to {wanted}: {how}.", {"replicas": wanted}, True, seconds)
        return Outcome(
            False,
            f"Scaling to {wanted} was sent but after {seconds:.0f} s {how}.",
            {"replicas": wanted},
            False,
            seconds,
        )


@register_action
class RollbackAction(_WorkloadAction):
    """``kubectl rollout undo``: the Deployment's pod template of its previous revision."""

    name = "rollback"
    title = "Roll back"
    description = "Go back to a Deployment's previous revision (its previous image)"
    target_kinds = ("Deployment",)

    def _history(
        self, ctx: ActionContext, target: Target, obj: Mapping[str, Any]
    ) -> list[tuple[int, dict[str, Any]]]:
        meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
        labels = (spec.get("selector") or {}).get("matchLabels") or {}
        selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        sets = self.writer(ctx, target).list("ReplicaSet", target.namespace, selector)
        history = []
        for rs in sets:
            rs_meta = rs.get("metadata") or {}
            owners = rs_meta.get("ownerReferences") or []
            if not any(o.get("uid") == meta.get("uid") for o in owners):
                continue
            revision = str((rs_meta.get("annotations") or {}).get(REVISION) or "")
            if revision.isdigit():
                history.append((int(revision), rs))
        return sorted(history, key=lambda pair: pair[0])

    def _previous(
        self, ctx: ActionContext, target: Target, obj: Mapping[str, Any]
    ) -> tuple[int, int, dict[str, Any]]:
        current = str(((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION) or "0")
        now = int(current) if current.isdigit() else 0
        earlier = [(rev, rs) for rev, rs in self._history(ctx, target, obj) if rev < now]
        if not earlier:
            raise ActionRefused(
                f"Deployment {target.name} has no previous revision to roll back to (it is at "
                f"revision {now}, and no older ReplicaSet is kept; revisionHistoryLimit may be "
                "0). Deploy the image you want instead."
            )
        revision, rs = earlier[-1]
        return now, revision, rs

    def plan(
        self, ctx: ActionContext, entity: Entity, target: Target, params: Mapping[str, str]
    ) -> Plan:
        obj = self.live(ctx, target)
        if (obj.get("spec") or {}).get("paused"):
            raise ActionRefused(f"Deployment {target.name} is paused; resume its rollout first.")
        now, revision, rs = self._previous(ctx, target, obj)
        images_now = _images((obj.get("spec") or {}).get("template") or {})
        images_then = _images((rs.get("spec") or {}).get("template") or {})
        changes = [f"revision {now} → {revision} (as a new revision {now + 1})"]
        old = dict(i.split("=", 1) for i in images_now)
        for item in images_then:
            container, image = item.split("=", 1)
            if old.get(container) != image:
                changes.append(f"container {container}: {old.get(container, '(none)')} → {image}")
        back_to = ", ".join(i.split("=", 1)[1] for i in images_then) or "(no containers)"
        return Plan(
            self.name,
            target,
            f"Roll back deployment {target.name} in {target.cluster}/{target.namespace} to "
            f"revision {revision}: image {back_to}",
            tuple(changes),
            before={"revision": now, "images": images_now},
            after={"revision": revision, "images": images_then},
            warnings=()
            if len(changes) > 1
            else ("The previous revision runs the same images; only the pod template differs.",),
            switch=self.name,
        )

    def apply(self, ctx: ActionContext, entity: Entity, plan: Plan) -> Mapping[str, Any]:
        target = plan.target
        assert target.namespace is not None
        obj = self.live(ctx, target)
        _, revision, rs = self._previous(ctx, target, obj)
        if revision != plan.after["revision"]:
            raise ActionFailed(
                f"Deployment {target.name} changed since the preview (its previous revision is "
                f"now {revision}); nothing was done. Look again and retry."
            )
        template = copy.deepcopy((rs.get("spec") or {}).get("template") or {})
        template.get("metadata", {}).get("labels", {}).pop("pod-template-hash", None)
        ops = [
            {
                "op": "test",
                "path": "/metadata/resourceVersion",
                "value": (obj.get("metadata") or {}).get("resourceVersion"),
            },
            {"op": "replace", "path": "/spec/template", "value": template},
        ]
        answer = self.writer(ctx, target).patch(target.kind, target.namespace, target.name, ops)
        return {"generation": (answer.get("metadata") or {}).get("generation")}

    def verify(self, ctx: ActionContext, entity: Entity, plan: Plan, *, deadline: float) -> Outcome:
        return _verify_rollout(self, ctx, plan, deadline=deadline, what="The rollback")


class _SuspendAction(_WorkloadAction):
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

        done, how, seconds = _wait(check, deadline=deadline)
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
class RerunAction(_WorkloadAction):
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
                "images " + ", ".join(_images(template)),
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

        done, how, seconds = _wait(check, deadline=deadline)
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
