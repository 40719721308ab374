"""``run <action> <entity>``, ``audit <entity>``, the buttons on the ``k8s`` answer, the
confirmation modal, and Approve / Deny in the owning team's channel.

Every click is acked first; the decision (act, request, refuse) is read from the catalog
after the ack, at the moment of the click, by ``ActionService``."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from slack_bolt import App

from catalog.groups import descendants
from catalog.lookup import find_entity
from commands.actions.blocks import (
    APPROVE_ACTION,
    CONFIRM_CALLBACK,
    DENY_ACTION,
    FORM_CALLBACK,
    OPEN_ACTION,
    audit_line,
    finding_buttons,
    waiting_blocks,
)
from commands.actions.flow import TITLE, ActionFlow
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.home import HomeContext
from slackkit.incoming import ack_now
from slackkit.replies import Reply
from slackkit.router import Ask

if TYPE_CHECKING:
    from integrations.actions import ActionService

__all__ = ["build_service", "register"]

log = logging.getLogger(__name__)


def build_service(deps: Deps) -> ActionService:
    """The process's action service (clusters connected on first use)."""
    from integrations.actions import ActionService
    from integrations.actions.cluster import ClusterWriters

    settings = deps.settings
    writers = ClusterWriters(settings.kubernetes, timeout=settings.actions.call_timeout_seconds)
    return ActionService(
        deps.engine,
        deps.catalog,
        settings.actions,
        clusters=writers,
        repositories=settings.repositories,
    )


def register(app: App, deps: Deps) -> None:
    """Add ``run``, ``audit``, the k8s buttons and the modal and approval listeners."""
    service = functools.cache(lambda: build_service(deps))
    flow = ActionFlow(deps, service)
    if deps.settings.actions.enabled and deps.settings.kubernetes.clusters:
        threading.Thread(target=_warm_up, args=(service,), name="actions-warm", daemon=True).start()
    command = deps.settings.slack.command

    def answer_run(ask: Ask) -> Reply | None:
        words = ask.words
        if len(words) < 2:
            from integrations.actions import all_actions

            names = ", ".join(f"`{a.name}`" for a in all_actions())
            raise UsageError(
                f"Which action and which service? For example `run restart "
                f"payments-api`. Actions: {names}."
            )
        action, name, rest = words[0], words[1], words[2:]
        params = dict(w.split("=", 1) for w in rest if "=" in w)
        stored = find_entity(deps.catalog, name)
        entity = str(stored.ref)
        if ask.modal is None or not ask.modal.ok or ask.modal.view_id is None:
            raise UsageError(
                f"Actions open a form; type `{command} run {action} {name}` as a slash command."
            )
        flow.show_start(ask.client, ask.modal.view_id, ask.caller, action, entity, None, params)
        return None

    def answer_audit(ask: Ask) -> Reply:
        name = ask.options().rest
        if not name:
            raise UsageError("Whose audit trail? For example `audit payments-api`.")
        stored = find_entity(deps.catalog, name)
        records = service().audit(stored.ref, limit=100)
        if not records:
            return Reply.simple(f"No actions have been requested or run on {stored.ref.short}.")
        return Reply(
            f"Audit trail of {stored.ref.short}",
            (bk.header(f"Actions on {stored.entity.display_name}"),),
            tuple(audit_line(r) for r in records),
            shareable=False,
        )

    deps.router.add(
        "run",
        answer_run,
        summary="Restart, scale, roll back, pause/resume, re-run or run a workflow, with a preview",
        usage="run <action> <entity> [key=value ...]",
        examples=("run restart {component}",),
        modal=TITLE,
    )
    deps.router.add(
        "audit",
        answer_audit,
        summary="Who requested, approved, previewed and ran which action on an entity",
        usage="audit <entity>",
        examples=("audit {component}",),
    )

    def waiting_section(home: HomeContext) -> list[Block]:
        if not deps.settings.actions.enabled or not home.teams:
            return []
        from integrations.actions.approvals import pending_for

        owners = set(home.teams)
        if deps.settings.actions.parents_may_act:  # members of a parent decide for its teams
            owners.update(g for team in home.teams for g in descendants(deps.catalog, team))
        waiting = pending_for(deps.engine, sorted(owners), datetime.now(UTC))
        return waiting_blocks(waiting) if waiting else []

    deps.home.add_section("action requests", waiting_section, order=15, max_blocks=2)
    enabled = deps.settings.actions.enabled
    deps.finding_actions.append(lambda health: finding_buttons(health, str(health.entity), enabled))
    app.action(OPEN_ACTION)(ack=ack_now, lazy=[flow.open_from_button])
    app.view(FORM_CALLBACK)(flow.submit_form)
    app.view(CONFIRM_CALLBACK)(ack=flow.ack_working, lazy=[flow.confirm])
    app.action(APPROVE_ACTION)(ack=ack_now, lazy=[flow.approve])
    app.action(DENY_ACTION)(ack=ack_now, lazy=[flow.deny])


def _warm_up(service: Callable[[], ActionService]) -> None:
    """Import the kubernetes client and the actions at start, never in a click."""
    try:
        from integrations.actions import all_actions

        clusters = service().ctx.clusters
        all_actions()
        if clusters is not None:
            for name in clusters.names:
                clusters.get(name)  # reads the kubeconfig and builds the client, once
    except Exception:  # a broken setting is reported when someone clicks; never kill the app
        log.exception("Preparing the actions failed")
