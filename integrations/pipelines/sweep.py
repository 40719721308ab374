"""The pipelines sweep: every pipeline checked, its badge kept for the Home tab and team pages,
and what changed returned as notifications: to the owning team once when a problem appears and
once when it clears (the once-only rule of integrations/incidents.py, as the Kubernetes sweep),
and, when a dataset is late, to the teams downstream of it, once per lateness.

Notifications are returned, not sent: the worker posts them after the state is committed, so
a message Slack refuses is not sent twice.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text

from catalog import Catalog, EntityRef, parse_ref
from catalog.database import one_of, writer
from integrations.incidents import (
    Change,
    Observation,
    Problem,
    forget_entities,
    record_problems,
)
from integrations.kubernetes.config import KubernetesSettings
from integrations.kubernetes.finding import Severity
from integrations.kubernetes.routing import ChannelRouter
from integrations.pipelines.health import Engines, check_pipeline
from integrations.pipelines.lineage import Direction, impact_of
from integrations.pipelines.model import PipelineFinding, PipelineHealth
from integrations.pipelines.sources import catalog_lineage
from integrations.pipelines.specs import pipeline_specs
from integrations.pipelines.tables import pipeline_health, pipeline_problems

__all__ = ["PipelineNotification", "PipelineSweepReport", "sweep_pipelines"]

_DOWNSTREAM_DEPTH = 6


@dataclass(frozen=True, slots=True)
class PipelineNotification:
    """One message for a team channel. ``audience`` is ``owner`` (your pipeline broke or
    recovered) or ``downstream`` (something you depend on is late, or fresh again);
    ``affected`` lists the team's entities downstream of it."""

    change: Change
    entity: EntityRef
    owner: EntityRef | None
    channel: str | None
    finding: PipelineFinding
    first_seen: datetime
    audience: str = "owner"
    team: EntityRef | None = None
    affected: tuple[EntityRef, ...] = ()


@dataclass(frozen=True, slots=True)
class PipelineSweepReport:
    """What a sweep did: states, what to tell whom, and the sources that did not answer."""

    checked_at: datetime
    seconds: float
    states: dict[str, int]
    notifications: tuple[PipelineNotification, ...]
    unreachable: tuple[tuple[str, str], ...]
    invalid: tuple[tuple[EntityRef, str], ...]


def sweep_pipelines(
    catalog: Catalog,
    engines: Engines,
    *,
    now: datetime | None = None,
    team_channels: dict[str, str] | None = None,
    default_channel: str | None = None,
) -> PipelineSweepReport:
    """Check every pipeline, store the results, return what changed and whom to tell."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    specs, invalid = pipeline_specs(catalog)
    healths: dict[EntityRef, PipelineHealth] = {}
    # pipelines in their own threads: each asks its engines on engines.pool, and waiting on
    # the pool one is running in would deadlock it once every worker waits
    workers = engines.settings.sweep_concurrency
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pipelines-sweep") as pool:
        futures = [pool.submit(check_pipeline, engines, s, now=now) for s in specs]
        for future in as_completed(futures):
            health = future.result()
            healths[health.entity] = health
    with writer(catalog.engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('greenroom-pipelines'))"))
        changes = _record(conn, healths, now, engines.settings.resolve_after_sweeps)
    routing = KubernetesSettings(
        team_channels=team_channels or {},
        default_channel=engines.settings.default_channel or default_channel,
    )
    router = ChannelRouter(catalog, routing)
    notifications: list[PipelineNotification] = []
    for change in changes:
        finding = PipelineFinding.from_json(change.data)
        owner, channel = router.route(change.entity)
        notifications.append(
            PipelineNotification(
                change.change, change.entity, owner, channel, finding, change.first_seen
            )
        )
        if finding.rule == "dataset-late":
            notifications += _downstream(
                catalog, router, change.change, change.entity, owner, finding, change.first_seen
            )
    unreachable = {
        (r.source, r.error or "") for h in healths.values() for r in h.reports if r.error
    }
    return PipelineSweepReport(
        checked_at=now,
        seconds=time.monotonic() - started,
        states=dict(Counter(h.state.value for h in healths.values())),
        notifications=tuple(notifications),
        unreachable=tuple(sorted(unreachable)),
        invalid=tuple((ref, error.user_message) for ref, error in invalid),
    )


def _downstream(
    catalog: Catalog,
    router: ChannelRouter,
    change: Change,
    pipeline: EntityRef,
    owner: EntityRef | None,
    finding: PipelineFinding,
    first_seen: datetime,
) -> list[PipelineNotification]:
    """The teams downstream of a late dataset, each told once (not the owner: it knows)."""
    graph = catalog_lineage(catalog)
    if finding.subject not in graph:
        return []
    walk = graph.walk(finding.subject, direction=Direction.DOWN, depth=_DOWNSTREAM_DEPTH)
    impact = impact_of(walk, skip_owner=owner)
    told = []
    for team, nodes in impact.teams:
        refs = tuple(n.ref for n in nodes if n.ref is not None and n.ref != pipeline)
        if not refs:
            continue
        _, channel = router.route(refs[0])
        told.append(
            PipelineNotification(
                change, pipeline, owner, channel, finding, first_seen, "downstream", team, refs
            )
        )
    return told


def _record(
    conn: Connection,
    healths: dict[EntityRef, PipelineHealth],
    now: datetime,
    resolve_after: int,
) -> list[Any]:
    known = {parse_ref(r) for r in conn.execute(select(pipeline_health.c.entity_ref)).scalars()}
    known |= {parse_ref(r) for r in conn.execute(select(pipeline_problems.c.entity_ref)).scalars()}
    dialect = conn.dialect.name
    gone = [str(r) for r in known - healths.keys()]
    if gone:
        conn.execute(
            delete(pipeline_health).where(one_of(pipeline_health.c.entity_ref, gone, dialect))
        )
        forget_entities(conn, pipeline_problems, gone)
    refs = [str(r) for r in healths]
    if refs:
        conn.execute(
            delete(pipeline_health).where(one_of(pipeline_health.c.entity_ref, refs, dialect))
        )
        conn.execute(insert(pipeline_health), [_health_row(h) for h in healths.values()])
    observed = {
        ref: Observation(
            tuple(
                Problem(f.key, f.source, f.severity.value, f.to_json())
                for f in health.findings
                if f.severity.rank >= Severity.WARNING.rank
            ),
            _answered(health),
        )
        for ref, health in healths.items()
    }
    return record_problems(
        conn,
        pipeline_problems,
        observed,
        now=now,
        resolve_after=resolve_after,
        scope_column="source",
    )


def _answered(health: PipelineHealth) -> frozenset[str]:
    """Sources whose silence about a problem means it cleared; freshness only counts when an
    engine answered (an Airflow outage does not make a dataset fresh)."""
    answered = {r.source for r in health.reports if r.answered}
    if answered:
        answered.add("freshness")
    return frozenset(answered)


def _health_row(health: PipelineHealth) -> dict[str, Any]:
    return {
        "entity_ref": str(health.entity),
        "state": health.state.value,
        "checked_at": health.checked_at,
        "last_success": health.last_success,
        "headline": health.headline[:500],
        "late": [
            [str(f.dataset), int(f.late_by.total_seconds())]
            for f in health.freshness
            if f.late_by is not None
        ],
        "errors": [[r.source, r.error or ""] for r in health.reports if r.error],
    }
