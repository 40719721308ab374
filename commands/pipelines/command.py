"""``pipeline <entity>`` and ``lineage <entity> [--up|--down] [--depth N]``, asked after the
ack and answered within ``pipelines.timeout_seconds`` (an engine still silent then is named);
plus the pipelines section of the Home tab and team pages (from the latest sweep)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from slack_bolt import App

from catalog import EntityRef, EntitySummary, StoredEntity
from catalog.annotations import PAGERDUTY_SERVICE_ID, SLACK_CHANNEL
from catalog.groups import Team, owned_by
from catalog.lookup import find_entity
from commands.pipelines.blocks import lineage_reply, pipeline_reply, pipelines_section
from integrations.pipelines import (
    Direction,
    check_pipeline,
    is_pipeline,
    lineage_of,
    pipeline_badges,
    spec_of,
)
from slackkit import blocks as bk
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.home import HomeContext
from slackkit.replies import Reply
from slackkit.router import Ask

__all__ = ["register"]

DEFAULT_DEPTH = 3
MAX_DEPTH = 20


def register(app: App, deps: Deps) -> None:
    """Add ``pipeline`` and ``lineage`` and the pipelines sections of Home and team pages."""

    def answer_pipeline(ask: Ask) -> Reply:
        name = ask.options().rest
        if not name:
            raise UsageError("Which pipeline? For example `pipeline orders-etl`.")
        stored = find_entity(deps.catalog, name, kinds=("component",))
        spec = spec_of(deps.catalog, stored) if stored.ref.kind == "component" else None
        # a service's Kubernetes id does not make it a pipeline; a DAG id does
        if spec is None or (not is_pipeline(stored.summary) and not spec.dag_id):
            raise UsageError(
                f"{stored.ref.short} is not a pipeline: a pipeline is a Component of type "
                "data-pipeline or ml-pipeline. Try `lineage` for datasets."
            )
        settings = deps.settings.pipelines
        health = check_pipeline(
            deps.runtime.pipeline_engines, spec, deadline=settings.timeout_seconds
        )
        owner = deps.catalog.summaries([spec.owner])[spec.owner] if spec.owner else None
        return pipeline_reply(
            health,
            summary=stored.summary,
            owner=owner if owner and owner.exists else None,
            on_call=_on_call(deps, stored, spec.owner),
            now=datetime.now(UTC),
            runs_shown=settings.runs_shown,
        )

    def answer_lineage(ask: Ask) -> Reply:
        opts = ask.options(flags={"up", "down"}, values={"depth"})
        if not opts.rest:
            raise UsageError("Which dataset or pipeline? For example `lineage orders --down`.")
        depth = _depth(opts.values.get("depth"))
        stored = find_entity(deps.catalog, opts.rest, kinds=("resource", "component"))
        directions = tuple(
            d for d, flag in ((Direction.UP, "up"), (Direction.DOWN, "down")) if flag in opts.flags
        ) or (Direction.UP, Direction.DOWN)
        answer = lineage_of(
            deps.catalog,
            deps.runtime.pipeline_engines,
            stored,
            directions=directions,
            depth=depth,
            deadline=deps.settings.pipelines.timeout_seconds,
        )
        teams = [team for team, _ in answer.impact.teams] if answer.impact else []
        return lineage_reply(
            answer,
            summary=stored.summary,
            channels=_channels(deps, teams),
            command=deps.settings.slack.command,
        )

    deps.router.add(
        "pipeline",
        answer_pipeline,
        summary="A data pipeline's health: last runs, failing tasks with logs, what is late",
        usage="pipeline <entity>",
        examples=("pipeline {component}",),
        aliases=("pipelines",),
    )
    deps.router.add(
        "lineage",
        answer_lineage,
        summary="What feeds a dataset or pipeline, what reads it, and whom to tell if it is late",
        usage="lineage <dataset|pipeline> [--up|--down] [--depth N]",
        examples=("lineage {resource} --down",),
    )

    def section_of(owned: Sequence[EntitySummary]) -> list[bk.Block]:
        pipelines = [s for s in owned if is_pipeline(s)]
        if not pipelines:
            return []
        return pipelines_section(
            pipelines,
            pipeline_badges(deps.engine, [s.ref for s in pipelines]),
            now=datetime.now(UTC),
            sweep_every=timedelta(minutes=deps.settings.pipelines.sweep_interval_minutes),
            command=deps.settings.slack.command,
        )

    def home_section(home: HomeContext) -> list[bk.Block]:
        return section_of(home.owned)

    def team_section(team: Team) -> list[bk.Block]:
        return section_of(owned_by(deps.catalog, [team.ref]))

    deps.home.add_section("pipelines", home_section, order=27, max_blocks=4)
    deps.team_page.add_section("pipelines", team_section, order=22, max_blocks=4)


def _depth(value: str | None) -> int | None:
    if value is None:
        return DEFAULT_DEPTH
    if value.lower() == "all":
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_DEPTH:
        raise UsageError(f"--depth takes a number from 1 to {MAX_DEPTH}, or `all`.")
    return int(value)


def _channels(deps: Deps, teams: Sequence[EntityRef]) -> dict[EntityRef, str]:
    found = deps.catalog.annotations(teams, SLACK_CHANNEL)
    return {ref: channel for ref, channel in found.items() if channel}


def _on_call(deps: Deps, stored: StoredEntity, owner: EntityRef | None) -> list[str]:
    """Who to reach now: the owner's channel, and the PagerDuty service when annotated."""
    found = []
    if owner is not None:
        channel = _channels(deps, [owner]).get(owner)
        if channel:
            found.append(bk.channel(channel))
    service = stored.entity.annotation(PAGERDUTY_SERVICE_ID)
    if service:
        found.append(f"PagerDuty service {bk.code(service)}")
    return found
