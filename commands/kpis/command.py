"""``kpis [team] [--kpi cost|incidents|security|<custom>] [--by tribe|squad]``: teams ranked
by a KPI, worst first, with a chart posted where it was asked; ``oncall <entity>``: who is
on call now, with Slack mentions; the KPI sections of team pages and the Home tab; and the
person on call named in ``impact`` (through ``deps.team_contacts``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from catalog import EntityRef
from catalog.groups import Person, Team, owned_by
from catalog.lookup import find_entity
from commands.kpis.blocks import board_reply, on_call_reply, person_text, team_section
from commands.kpis.charts import kpi_chart
from commands.kpis.team_chart import TeamCharts
from integrations.kpis import (
    KpiBoard,
    KpiEntity,
    OnCallLookup,
    headline_kpis,
    kpi_board,
    on_call_for,
    pick_kpi,
    sources_of,
    team_kpis,
)
from integrations.kpis.oncall import ON_CALL_ANNOTATIONS
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.deps import Deps
from slackkit.home import HomeContext
from slackkit.replies import Reply
from slackkit.router import Ask

__all__ = ["entity_of", "register", "slack_ids_of"]

log = logging.getLogger(__name__)

#: ``impact`` waits at most this long for PagerDuty per team.
_IMPACT_TIMEOUT = 2.0


def register(app: App, deps: Deps) -> None:
    """Add ``kpis`` and ``oncall``, the KPI sections, and the on-call contact for ``impact``."""
    settings = deps.settings.kpis
    command = deps.settings.slack.command

    def answer_kpis(ask: Ask) -> Reply:
        options = ask.options(values=("kpi", "by"))
        spec = pick_kpi(settings, options.values.get("kpi"))
        if options.rest:
            team = find_entity(deps.catalog, options.rest, kinds=("group",))
            board = kpi_board(
                deps.engine,
                deps.catalog,
                spec,
                parent=team.ref,
                window_days=settings.window_days,
                gap_sources=sources_of(settings, spec.name),
            )
        else:
            board = kpi_board(
                deps.engine,
                deps.catalog,
                spec,
                level=options.values.get("by") or "tribe",
                window_days=settings.window_days,
            )
        notes = []
        if ask.channel_id and ask.via in {"command", "mention"} and board.series:
            notes.append(_post_chart(ask, board))
        elif board.series:
            asked = bk.code(f"{command} {ask.command}")
            notes.append(f":bar_chart: Type {asked} in a channel for the chart.")
        return board_reply(board, command=command, notes=notes)

    def answer_oncall(ask: Ask) -> Reply:
        name = ask.options().rest
        if not name:
            from slackkit.grammar import UsageError

            raise UsageError("Whose on-call? For example `oncall payments-api`.")
        stored = find_entity(deps.catalog, name)
        entity = entity_of(stored.ref, stored.entity.metadata.annotations or {}, None)
        lookup = on_call_for(settings, entity)
        ids = slack_ids_of(deps, ask.client, ask.caller.team_id, [lookup])
        return on_call_reply(stored.entity.display_name, lookup, ids, now=datetime.now(UTC))

    deps.router.add(
        "kpis",
        answer_kpis,
        summary="Teams ranked by a KPI (cloud cost, incidents, security issues, custom), worst "
        "first, with trend and chart",
        usage="kpis [team] [--kpi cost|incidents|security|<custom>] [--by tribe|squad]",
        examples=("kpis", "kpis {group} --kpi incidents"),
        aliases=("kpi",),
    )
    deps.router.add(
        "oncall",
        answer_oncall,
        summary="Who is on call now for a service (PagerDuty), with their Slack mention",
        usage="oncall <entity>",
        examples=("oncall {component}",),
        aliases=("on_call",),
    )

    charts = TeamCharts(deps)

    def section(team: EntityRef, *, button: bool = False) -> list[Block]:
        specs = headline_kpis(settings)
        if not specs:
            return []
        kpis = team_kpis(deps.engine, deps.catalog, specs, team, window_days=settings.window_days)
        if not kpis.readings:
            return []
        chart = charts.chart(kpis)
        return team_section(
            kpis, command=command, button=button, chart=chart.blocks, drawn=chart.drawn
        )

    def team_page(team: Team) -> list[Block]:
        return section(team.ref, button=True)

    def home(home: HomeContext) -> list[Block]:
        blocks: list[Block] = []
        for team in home.teams[:2]:
            found = section(team)
            if found:
                blocks.append(bk.context(f"*{bk.escape(team.name)}*"))
                blocks.extend(found)
        return blocks

    if settings.sources:
        deps.digest_kinds["kpis"] = "kpis.digest"
        deps.team_page.add_section("kpis", team_page, order=30, max_blocks=4)
        deps.home.add_section("kpis", home, order=27, max_blocks=8)
        if any(getattr(s, "type", "") in {"pagerduty", "opsgenie"} for s in settings.sources):
            deps.team_contacts.append(
                lambda client, team_id, teams: _on_call_contacts(deps, client, team_id, teams)
            )


def entity_of(ref: EntityRef, annotations: Mapping[str, str], owner: EntityRef | None) -> KpiEntity:
    """A KpiEntity from a stored entity's annotations."""
    return KpiEntity(ref, owner, {str(k): str(v) for k, v in annotations.items()})


def slack_ids_of(
    deps: Deps, client: WebClient, team_id: str, lookups: Sequence[OnCallLookup]
) -> dict[str, str]:
    """Slack user ids by email of the people on call (those not in Slack are left out)."""
    people = {
        p.email.strip().lower(): Person(
            EntityRef("user", "pagerduty", p.email.lower()), p.name, email=p.email
        )
        for lookup in lookups
        if lookup.answer is not None
        for p in lookup.answer.people
        if p.email
    }
    if not people:
        return {}
    found = deps.users.slack_ids(client, team_id, list(people.values()), wait_for=None)
    return {email: found[person.ref] for email, person in people.items() if person.ref in found}


def _on_call_contacts(
    deps: Deps,
    client: WebClient,
    team_id: str,
    teams: Sequence[tuple[EntityRef, Sequence[EntityRef]]],
) -> dict[EntityRef, str]:
    """Per team told in ``impact``: its first-level on-call person, from the first of the
    entities it is told about (else anything it owns) that names a PagerDuty service."""
    chosen: dict[EntityRef, KpiEntity] = {}
    for team, refs in teams:
        for key in ON_CALL_ANNOTATIONS:
            found = deps.catalog.annotations(refs, key) or deps.catalog.annotations(
                [s.ref for s in owned_by(deps.catalog, [team])], key
            )
            if found:
                ref = min(found)
                chosen[team] = KpiEntity(ref, team, {key: found[ref]})
                break
    if not chosen:
        return {}
    settings = deps.settings.kpis

    def look(entity: KpiEntity) -> OnCallLookup:
        return on_call_for(settings, entity, timeout=_IMPACT_TIMEOUT)

    with ThreadPoolExecutor(min(8, len(chosen)), thread_name_prefix="oncall") as pool:
        lookups = dict(zip(chosen, pool.map(look, chosen.values()), strict=True))
    ids = slack_ids_of(deps, client, team_id, list(lookups.values()))
    found = {}
    for team, lookup in lookups.items():
        if lookup.answer is None or not lookup.answer.people:
            continue
        first = lookup.answer.people[0]
        found[team] = "on call: " + person_text(first, ids.get((first.email or "").lower()))
    return found


def _post_chart(ask: Ask, board: KpiBoard) -> str:
    """Draw the chart and post it where the command was typed; a note saying how it went."""
    assert ask.channel_id is not None
    title = f"{board.spec.title}: {board.scope}"
    try:
        png = kpi_chart(board)
    except Exception:  # a broken matplotlib must not cost the text answer
        log.exception("Drawing the KPI chart failed")
        return ":warning: The chart could not be drawn; the failure is logged."
    try:
        ask.client.files_upload_v2(
            channel=ask.channel_id,
            content=png,
            filename=f"kpi-{board.spec.name}.png",
            title=bk.truncate(title, 250),
            thread_ts=ask.thread_ts,
        )
    except SlackApiError as error:
        code = str(error.response.get("error") or error.response.status_code)
        log.warning("Uploading a KPI chart to %s failed: %s", ask.channel_id, code)
        return f":warning: No chart: Slack said {bk.escape(code)}."
    except (SlackClientError, OSError) as error:
        log.warning("Uploading a KPI chart failed: %s", type(error).__name__)
        return ":warning: No chart: the upload failed; please try again."
    where = "this thread" if ask.thread_ts else "this channel"
    return f":bar_chart: The chart is posted in {where}."
