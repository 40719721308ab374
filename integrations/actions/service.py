"""Running actions safely: the one place that decides, previews, claims, acts, verifies and
records. Slack (commands/actions/) and the CLI call it; it never imports Slack.

Every step reads the catalog when it runs (a button drawn an hour ago carries no authority),
writes its audit record first and stops if that write fails."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from catalog import Catalog, Entity, EntityNotFound, EntityRef, NotAuthorized
from integrations.actions import approvals
from integrations.actions.approvals import ActionRequest
from integrations.actions.audit import AuditRecord, read_audit, record
from integrations.actions.cluster import ClusterWriters
from integrations.actions.config import ActionsSettings
from integrations.actions.desk import SYSTEM, RequestDesk
from integrations.actions.errors import ActionFailed, ActionRefused, AuditWriteFailed
from integrations.actions.model import Actor, Outcome, Plan, SlackIds, Target
from integrations.actions.permissions import Decision, decide, owner_channel
from integrations.actions.registry import Action, ActionContext, get_action
from integrations.actions.safety import check_limits, claim

__all__ = ["SYSTEM", "ActionService", "Approval", "Preview"]


@dataclass(frozen=True)
class Preview:
    """A dry run and what the person may do with it."""

    action: Action
    entity: EntityRef
    plan: Plan
    decision: Decision


@dataclass(frozen=True)
class Approval:
    """An approved (or denied) request, and the outcome of its action if it ran."""

    request: ActionRequest
    outcome: Outcome | None


class ActionService:
    """Actions over one database, catalog, clusters and repository hosts."""

    def __init__(
        self,
        engine: Engine,
        catalog: Catalog,
        settings: ActionsSettings,
        *,
        clusters: ClusterWriters | None = None,
        repositories: Any = None,
        http_transport: Any = None,
    ) -> None:
        self.engine = engine
        self.catalog = catalog
        self.settings = settings
        self.ctx = ActionContext(
            settings, clusters=clusters, repositories=repositories, http_transport=http_transport
        )

    # -- reading ----------------------------------------------------------------------------
    def entity(self, ref: EntityRef) -> Entity:
        stored = self.catalog.get(ref)
        if stored is None:
            raise EntityNotFound(str(ref))
        return stored.entity

    def targets(self, action_name: str, ref: EntityRef) -> list[Target]:
        """What ``action_name`` can change for the entity (switched-off clusters left out)."""
        self._enabled()
        action = get_action(action_name)
        found = action.targets(self.ctx, self.entity(ref))
        allowed = [t for t in found if self.settings.switched_off(action.name, t.cluster) is None]
        if found and not allowed:
            raise ActionRefused(
                _switch_text(action.name, found[0], self.settings.environment_of(found[0].cluster))
            )
        return allowed

    def decision(self, actor: Actor, ref: EntityRef, action: str | None = None) -> Decision:
        """Act, request or refuse, from the catalog now; an ``admin`` action lets only
        admins act (owners and others request)."""
        decision = decide(self.catalog, self.settings, actor, ref)
        admins_only = action is not None and get_action(action).permission == "admin"
        if admins_only and decision.may_act and not actor.is_admin:
            return Decision("request", "only greenroom admins run it directly", decision.owner)
        return decision

    def channel_for(self, ref: EntityRef) -> str | None:
        """The owning team's channel now (requests and audit posts go there)."""
        return owner_channel(self.catalog, self.settings, self.decision(SYSTEM, ref).owner)

    def audit(self, ref: EntityRef | None = None, *, limit: int = 50) -> list[AuditRecord]:
        return read_audit(self.engine, entity=ref, limit=limit)

    def request(self, request_id: str) -> ActionRequest | None:
        return approvals.load_request(self.engine, request_id)

    def _not_refused(
        self, actor: Actor, action_name: str, ref: EntityRef, *, verb: str
    ) -> tuple[Action, Decision]:
        """The action and the person's standing, refused at once when they may neither act
        nor ask (``verb``: what the refusal says they cannot do)."""
        self._enabled()
        action = get_action(action_name)
        decision = self.decision(actor, ref, action.name)
        if decision.mode == "refuse":
            raise NotAuthorized(f"You cannot {verb} {action.title.lower()}: {decision.reason}.")
        return action, decision

    # -- the steps -------------------------------------------------------------------------
    def preview(
        self,
        actor: Actor,
        action_name: str,
        ref: EntityRef,
        target: Target,
        params: Mapping[str, str],
        *,
        slack: SlackIds | None = None,
    ) -> Preview:
        """The dry run (recorded), refused early when the person may neither act nor ask."""
        action, decision = self._not_refused(actor, action_name, ref, verb="run")
        plan = self._plan(action, actor, ref, target, params, slack=slack, event="dry_run")
        return Preview(action, ref, plan, decision)

    def run(
        self,
        actor: Actor,
        action_name: str,
        ref: EntityRef,
        target: Target,
        params: Mapping[str, str],
        *,
        slack: SlackIds | None = None,
        request: ActionRequest | None = None,
        approver: Actor | None = None,
    ) -> Outcome:
        """Decide now, check again, claim the workload, act, verify; every step recorded.
        Raises NotAuthorized, ActionRefused/ActionBusy (not started) or AuditWriteFailed."""
        self._enabled()
        action = get_action(action_name)
        request_id = request.id if request else None
        if request is None:
            decision = self.decision(actor, ref, action.name)
            if not decision.may_act:
                self.refused(action.name, ref, target, actor, decision.reason, slack, None)
                raise NotAuthorized(
                    f"You may not {action.title.lower()} this directly ({decision.reason}); "
                    "request it and an owner can approve."
                )
        try:
            plan = self._plan(action, actor, ref, target, params, slack=slack, event=None)
            entity = self.entity(ref)
            check_limits(self.engine, self.settings, actor, target)
            hold = timedelta(seconds=self.settings.verify_timeout_seconds + 120)
            with claim(self.engine, target, action.name, actor, hold=hold):
                by = f" (approved by {approver.label})" if approver else ""
                record(
                    self.engine,
                    event="action",
                    action=action.name,
                    entity=ref,
                    target=target,
                    actor=actor,
                    outcome="pending",
                    message=action.audit_text(plan) + by,
                    before=plan.before,
                    after=plan.after,
                    params=plan.params or params,
                    request_id=request_id,
                    slack=slack,
                )
                outcome = self._act(action, entity, plan)
                record(
                    self.engine,
                    event="outcome",
                    action=action.name,
                    entity=ref,
                    target=target,
                    actor=actor,
                    outcome="ok" if outcome.ok else "failed",
                    message=outcome.message,
                    before=plan.before,
                    after=outcome.after,
                    params=plan.params or params,
                    request_id=request_id,
                    slack=slack,
                )
                return outcome
        except ActionRefused as error:
            self.refused(action.name, ref, target, actor, error.user_message, slack, request_id)
            raise

    def ask(
        self,
        actor: Actor,
        action_name: str,
        ref: EntityRef,
        target: Target,
        params: Mapping[str, str],
        *,
        slack: SlackIds | None = None,
    ) -> ActionRequest:
        """A request for the owners (dry-run checked first, recorded)."""
        action, decision = self._not_refused(actor, action_name, ref, verb="request")
        try:
            plan = self._plan(action, actor, ref, target, params, slack=slack, event=None)
        except ActionRefused as error:
            self.refused(action.name, ref, target, actor, error.user_message, slack, None)
            raise
        ttl = timedelta(minutes=self.settings.request_ttl_minutes)
        saved = approvals.save_request(
            self.engine, plan, ref, actor, decision.owner, params=plan.params or params, ttl=ttl
        )
        try:
            record(
                self.engine,
                event="request",
                action=action.name,
                entity=ref,
                target=target,
                actor=actor,
                outcome="pending",
                message=f"requested: {plan.summary}",
                before=plan.before,
                after=plan.after,
                params=plan.params or params,
                request_id=saved.id,
                slack=slack,
            )
        except AuditWriteFailed:  # an unrecorded request must not be approvable
            approvals.finish_request(self.engine, saved.id, "failed", "the audit write failed")
            raise
        return saved

    def note_posted(self, request_id: str, channel: str, ts: str) -> None:
        approvals.note_message(self.engine, request_id, channel, ts)

    def approve(
        self,
        approver: Actor,
        request_id: str,
        *,
        slack: SlackIds | None = None,
        started: Callable[[ActionRequest], None] | None = None,
    ) -> Approval:
        """An owner's Approve: decided once, then the action runs for the requester;
        ``started`` hears of the approval before the (maybe long) run."""
        return RequestDesk(self).approve(approver, request_id, slack=slack, started=started)

    def deny(self, approver: Actor, request_id: str, *, slack: SlackIds | None = None) -> Approval:
        """An owner's Deny, decided once."""
        return RequestDesk(self).deny(approver, request_id, slack=slack)

    def expire_due(self, now: datetime | None = None) -> list[ActionRequest]:
        """Mark every pending request past its time expired (once), recorded."""
        return RequestDesk(self).expire_due(now)

    # -- internals -------------------------------------------------------------------------
    def _enabled(self) -> None:
        if not self.settings.enabled:
            raise ActionRefused("Actions are turned off here (actions.enabled in greenroom.yaml).")

    def _plan(
        self,
        action: Action,
        actor: Actor,
        ref: EntityRef,
        target: Target,
        params: Mapping[str, str],
        *,
        slack: SlackIds | None,
        event: str | None,
    ) -> Plan:
        entity = self.entity(ref)
        try:
            off = self.settings.switched_off(action.name, target.cluster)
            if off is not None:
                raise ActionRefused(
                    _switch_text(action.name, target, self.settings.environment_of(target.cluster))
                )
            action.check_target(self.ctx, entity, target)
            plan = action.plan(self.ctx, entity, target, params)
            off = self.settings.switched_off(plan.switch or action.name, target.cluster)
            if off is not None:
                raise ActionRefused(
                    _switch_text(plan.switch, target, self.settings.environment_of(target.cluster))
                )
        except ActionRefused as error:
            if event is not None:
                self.refused(action.name, ref, target, actor, error.user_message, slack, None)
            raise
        if event is not None:
            record(
                self.engine,
                event=event,
                action=action.name,
                entity=ref,
                target=target,
                actor=actor,
                outcome="ok",
                message=plan.summary,
                before=plan.before,
                after=plan.after,
                params=plan.params or params,
                slack=slack,
            )
        return plan

    def _act(self, action: Action, entity: Entity, plan: Plan) -> Outcome:
        started = time.monotonic()
        try:
            applied = action.apply(self.ctx, entity, plan)
        except (ActionFailed, ActionRefused) as error:
            return Outcome(False, error.user_message, seconds=time.monotonic() - started)
        sent = replace(plan, after={**plan.after, **applied, "applied": dict(applied)})
        deadline = time.monotonic() + self.settings.verify_timeout_seconds
        try:
            return action.verify(self.ctx, entity, sent, deadline=deadline)
        except (ActionFailed, ActionRefused) as error:
            return Outcome(
                False,
                f"The change was sent, but checking it failed: {error.user_message}",
                seconds=time.monotonic() - started,
            )

    def refused(
        self,
        action: str,
        ref: EntityRef,
        target: Target,
        actor: Actor,
        reason: str,
        slack: SlackIds | None,
        request_id: str | None,
    ) -> None:
        """Record a refusal (best effort: a refusal changed nothing, and is told anyway)."""
        with contextlib.suppress(AuditWriteFailed):
            record(
                self.engine,
                event="refused",
                action=action,
                entity=ref,
                target=target,
                actor=actor,
                outcome="refused",
                message=reason,
                request_id=request_id,
                slack=slack,
            )


def _switch_text(action: str, target: Target, environment: str | None) -> str:
    where = f"in cluster {target.cluster}" if target.cluster else "here"
    if environment:
        where += f" ({environment})"
    name = "Scaling to zero" if action == "scale-to-zero" else f"The {action} action"
    return f"{name} is turned off {where} by the operators (actions.disabled in greenroom.yaml)."
