"""Kubernetes actions on an entity's workloads, as kubectl does them:

- ``restart``: ``kubectl rollout restart`` (the pod template's ``restartedAt`` annotation);
- ``scale``: the ``scale`` subresource, within the HPA's min/max when one targets it; 0 only
  when said so (and never where ``scale-to-zero`` is switched off);
- ``rollback``: ``kubectl rollout undo`` (the previous ReplicaSet by
  ``deployment.kubernetes.io/revision``), naming the image it goes back to.

Pause/resume and rerun are in batch_actions.py.

Plans keep only replicas, images, revisions and flags: pod templates carry environment values,
so a template is read again at the moment of the change and never stored."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from catalog import Entity
from integrations.actions.errors import ActionFailed, ActionRefused
from integrations.actions.model import FormField, Outcome, Plan, Target
from integrations.actions.registry import ActionContext, register_action
from integrations.actions.workloads import (
    WorkloadAction,
    images_of,
    rollout_state,
    verify_rollout,
    wait_until,
)

__all__ = ["RestartAction", "RollbackAction", "ScaleAction"]

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
REVISION = "deployment.kubernetes.io/revision"
_MAX_REPLICAS = 500


@register_action
class RestartAction(WorkloadAction):
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
                + ", ".join(images_of(spec.get("template") or {})),
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
        return verify_rollout(self, ctx, plan, deadline=deadline, what="The restart")


@register_action
class ScaleAction(WorkloadAction):
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
            s = rollout_state(self.live(ctx, plan.target))
            ready = s["ready"]
            if s["replicas"] != wanted:
                return False, f"spec.replicas is {s['replicas']}, someone changed it meanwhile"
            if wanted == 0:
                return ready == 0, f"{ready} pods still running"
            return ready >= wanted, f"{ready} of {wanted} pods ready"

        done, how, seconds = wait_until(check, deadline=deadline)
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
class RollbackAction(WorkloadAction):
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
        images_now = images_of((obj.get("spec") or {}).get("template") or {})
        images_then = images_of((rs.get("spec") or {}).get("template") or {})
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
        return verify_rollout(self, ctx, plan, deadline=deadline, what="The rollback")
