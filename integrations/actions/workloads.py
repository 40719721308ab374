"""What the Kubernetes actions share: finding an entity's workloads in every cluster,
checking that a target is one of them, reading it live, and waiting for a rollout as
``kubectl rollout status`` does."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from catalog import Entity
from integrations.actions.cluster import ClusterWriter
from integrations.actions.errors import ActionFailed, ActionRefused
from integrations.actions.model import Outcome, Plan, Target
from integrations.actions.registry import Action, ActionContext
from integrations.kubernetes.discovery import selector_for

__all__ = [
    "MAX_PAUSE",
    "WorkloadAction",
    "images_of",
    "rolled_out",
    "rollout_state",
    "verify_rollout",
    "wait_until",
]

MAX_PAUSE = 0.25  # seconds between two reads of a rolling workload


class WorkloadAction(Action):
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


def images_of(template: Mapping[str, Any]) -> list[str]:
    containers = (template.get("spec") or {}).get("containers") or []
    return [f"{c.get('name')}={c.get('image')}" for c in containers if isinstance(c, dict)]


def rollout_state(obj: Mapping[str, Any]) -> dict[str, Any]:
    spec, status, meta = obj.get("spec") or {}, obj.get("status") or {}, obj.get("metadata") or {}
    return {
        "replicas": int(spec.get("replicas", 1)),
        "updated": int(status.get("updatedReplicas") or 0),
        "ready": int(status.get("readyReplicas") or 0),
        "available": int(status.get("availableReplicas") or status.get("readyReplicas") or 0),
        "generation": meta.get("generation"),
        "observed": status.get("observedGeneration"),
    }


def rolled_out(obj: Mapping[str, Any], generation: int | None) -> tuple[bool, str]:
    """kubectl rollout status: the new generation seen, every replica updated and available."""
    s = rollout_state(obj)
    if generation is not None and (s["observed"] or 0) < generation:
        return False, "the controller has not seen the change yet"
    if s["updated"] < s["replicas"]:
        return False, f"{s['updated']} of {s['replicas']} pods updated"
    if s["available"] < s["replicas"]:
        return False, f"{s['available']} of {s['replicas']} updated pods available"
    return True, f"{s['replicas']} of {s['replicas']} pods updated and available"


def wait_until(
    check: Callable[[], tuple[bool, str]], *, deadline: float
) -> tuple[bool, str, float]:
    """Poll ``check() -> (done, how)`` until done or the deadline, quickly at first, then four
    times a second: the outcome is known at most 0.25 s after the cluster reports it."""
    started, pause = time.monotonic(), 0.05
    done, how = check()
    while not done and time.monotonic() < deadline:
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 1.5, MAX_PAUSE)
        done, how = check()
    return done, how, time.monotonic() - started


def verify_rollout(
    action: WorkloadAction, ctx: ActionContext, plan: Plan, *, deadline: float, what: str
) -> Outcome:
    generation = plan.after.get("generation")

    def check() -> tuple[bool, str]:
        return rolled_out(action.live(ctx, plan.target), generation)

    done, how, seconds = wait_until(check, deadline=deadline)
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
