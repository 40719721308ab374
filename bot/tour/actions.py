"""Tour step: a day-2 action. The guide, an owner of payments-api, restarts it for real on a
loopback cluster (bot/tour/kubernetes.py) through the actions' domain service
(integrations/actions), the one Slack's buttons and modal use: the dry run, the change, its
verification and the audit trail, which the real app then shows (``audit payments-api``).

A restart that does not verify fails the tour. One that the safety rules hold back (every
cluster's payments-api cooling down after an earlier demo a minute ago, or the guide past the
rate limit) is shown with its reason, not counted as a failure: that is the rules at work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.tour import Tour
from catalog import EntityRef, GreenroomError, StoredEntity
from catalog.groups import Person, users_with_email
from catalog.lookup import find_entity
from catalog.ownership import owner_of

if TYPE_CHECKING:
    from integrations.actions import ActionService, Target

__all__ = ["restart_a_service"]

SERVICE = "payments-api"
_STEP = f"restart {SERVICE}"


def restart_a_service(tour: Tour) -> None:
    """Preview, run and verify a restart of payments-api as one of its owners; print the
    dry run, the outcome and the audit records."""
    from integrations.actions import ActionService, Actor
    from integrations.actions.cluster import ClusterWriters
    from integrations.actions.safety import check_limits

    settings = tour.runtime.settings
    if not settings.kubernetes.clusters or not settings.actions.enabled:
        tour.say("No clusters, or actions turned off in greenroom.yaml: the tour skips actions.")
        return
    tour.title(f"greenroom demo: a day-2 action (restart {SERVICE})")
    catalog = tour.runtime.catalog
    try:
        stored = find_entity(catalog, SERVICE)
    except GreenroomError as error:
        tour.fail(_STEP, error.user_message)
        return
    ref = stored.ref
    person = _owner(tour, stored)
    if person is None:
        tour.fail(_STEP, f"{SERVICE} has no owning team with members in the catalog")
        return
    actor = Actor(
        person.slack_user_id or f"demo-{person.ref.name}",
        person=person.ref,
        name=person.display_name,
    )
    writers = ClusterWriters(settings.kubernetes, timeout=settings.actions.call_timeout_seconds)
    tour.resources.callback(writers.close)
    service = ActionService(tour.runtime.engine, catalog, settings.actions, clusters=writers)
    try:
        decision = service.decision(actor, ref, "restart")
        if not decision.may_act:
            tour.fail(_STEP, f"{person.display_name} may not act directly: {decision.reason}")
            return
        tour.say(f"Acting as {person.display_name} ({decision.reason}): owners act directly.")
        targets = service.targets("restart", ref)
        ready, held = _free(
            targets, lambda t: check_limits(tour.runtime.engine, settings.actions, actor, t)
        )
        if ready is None:
            tour.say(f"Not restarted now: {held}")
            _show_audit(tour, service, ref)
            return
        preview = service.preview(actor, "restart", ref, ready, {})
    except GreenroomError as error:
        tour.fail(_STEP, error.user_message)
        return
    plan = preview.plan
    tour.say(f"Dry run (nothing changed yet): {plan.summary}")
    for change in plan.changes:
        tour.say(f"  • {change}")
    for warning in plan.warnings:
        tour.say(f"  ! {warning}")
    try:
        outcome = service.run(actor, "restart", ref, ready, {})
    except GreenroomError as error:
        tour.fail(_STEP, error.user_message)
        _show_audit(tour, service, ref)
        return
    mark = "✓" if outcome.ok else "✗"
    tour.say(f"{mark} {outcome.message} ({outcome.seconds:.1f} s)")
    if not outcome.ok:
        tour.fail(_STEP, f"the restart did not verify: {outcome.message}")
    _show_audit(tour, service, ref)
    tour.ask(f"audit {SERVICE}")


def _owner(tour: Tour, stored: StoredEntity) -> Person | None:
    """The guide when they belong to the owning team; else the team's first member with an
    email (who then guides the rest of the tour as well)."""
    catalog = tour.runtime.catalog
    try:
        team = owner_of(catalog, stored).team
    except GreenroomError:
        return None
    if team is None or not team.members:
        return None
    guide = users_with_email(catalog, tour.guide) if tour.guide else []
    members = {m.ref for m in team.members}
    for person in guide:
        if person.ref in members:
            return person
    chosen = next((m for m in team.members if m.email), team.members[0])
    tour.say(f"The tour's guide does not own {SERVICE}; {chosen.display_name} (an owner) acts.")
    tour.guide = chosen.email or tour.guide
    return chosen


def _free(targets: Sequence[Target], check: Callable[[Target], None]) -> tuple[Target | None, str]:
    """The first workload the safety rules let act now, or None and why not."""
    reason = "no Deployment of it was found in any cluster"
    for target in targets:
        try:
            check(target)
        except GreenroomError as error:
            reason = error.user_message
            continue
        return target, ""
    return None, reason


def _show_audit(tour: Tour, service: ActionService, ref: EntityRef) -> None:
    records = service.audit(ref, limit=3)
    tour.say("Audit trail (newest first):")
    for r in records:
        tour.say(
            f"  {r.at:%H:%M:%S} {r.event:8} {r.action} {r.target} by {r.actor_name}: "
            f"{r.outcome} · {r.message}"
        )
