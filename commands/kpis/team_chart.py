"""The small KPI chart of a team page and the Home tab: an image block naming a PNG uploaded
to Slack (Block Kit's ``slack_file``), uploaded once per team and readings fingerprint.

A page view only reads the team's chart row (integrations/kpis/chart_files.py). When there
is none yet it claims it and draws + uploads in a background thread, so the page answers
at once with the text sparkline; the next view shows the image. A failed upload (e.g.
``missing_scope``: the app lacks ``files:write``) is remembered, shown as a note beside the
sparkline, and tried again an hour later. After each collection the worker uploads the new
chart of every team whose chart was shown before (``refresh_team_charts``)."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError, SlackClientError

from catalog import EntityRef, GreenroomError
from commands.kpis.charts import charted_kpis, team_chart
from integrations.kpis import (
    KpiSpec,
    TeamKpis,
    chart_file,
    charted_groups,
    claim_chart,
    claimable,
    finish_chart,
    headline_kpis,
    readings_fingerprint,
    team_kpis,
)
from runtime.process import Runtime
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.bot_client import bot_client
from slackkit.deps import Deps

__all__ = ["TeamChart", "TeamCharts", "refresh_team_charts", "team_name", "upload_chart"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TeamChart:
    """What a team's KPI section shows of its chart: an image block, or a note, or nothing
    (yet); ``drawn`` names the KPIs the image draws (their text sparklines are left out)."""

    blocks: list[Block]
    drawn: frozenset[str] = frozenset()


class TeamCharts:
    """Team KPI charts for one Slack app: reads the chart rows, uploads missing charts."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def chart(self, kpis: TeamKpis) -> TeamChart:
        """The chart of ``kpis``; starts its upload when there is none."""
        specs = charted_kpis(kpis)
        if not specs:
            return TeamChart([])
        engine, team = self._deps.engine, kpis.team
        fingerprint = readings_fingerprint(kpis)
        found = chart_file(engine, team, fingerprint)
        if found is not None and found.state == "ready" and found.file_id:
            image = _image(found.file_id, specs, self._name(team))
            return TeamChart([image], frozenset(s.name for s in specs))
        if claimable(found) and claim_chart(engine, team, fingerprint):
            self.upload(kpis, fingerprint, self._name(team))
        if found is not None and found.state == "failed":
            return TeamChart([bk.context(_failure_note(found.problem))])
        return TeamChart([])

    def _name(self, team: EntityRef) -> str:
        return team_name(self._deps.runtime, team)

    def upload(self, kpis: TeamKpis, fingerprint: str, name: str) -> Future[bool]:
        """Draw and upload in the background; the row says how it went."""
        return self._deps.background.submit(
            upload_chart, self._deps.runtime, kpis, fingerprint, name
        )


def team_name(runtime: Runtime, team: EntityRef) -> str:
    """The team's title for the chart's title and alt text."""
    found = runtime.catalog.summaries([team]).get(team)
    return found.display_name if found is not None else team.name


def upload_chart(runtime: Runtime, kpis: TeamKpis, fingerprint: str, name: str) -> bool:
    """Draw the chart of a team's ``kpis`` and upload it (the caller claimed the row);
    records the file or the failure in the row, and says whether there is a file now."""
    settings = runtime.settings.kpis
    engine, team = runtime.engine, kpis.team
    try:
        png = team_chart(kpis, name)
        client = bot_client(runtime, purpose="Team KPI charts")
        answer = client.files_upload_v2(
            content=png,
            filename=f"kpis-{team.name}.png",
            title=bk.truncate(f"KPIs: {name}", 250),
            channel=settings.chart_channel,  # None: private to the app
        )
        files = answer.get("files") or [answer.get("file") or {}]
        file_id = str(files[0].get("id") or "")
        if not file_id:
            raise SlackClientError("files.completeUploadExternal named no file")
    except SlackApiError as error:
        code = str(error.response.get("error") or error.response.status_code)
        needed = error.response.get("needed")
        problem = f"{code}:{needed}" if needed else code
        log.warning("Uploading the KPI chart of %s failed: %s", team, problem)
        finish_chart(engine, team, fingerprint, problem=problem)
    except GreenroomError as error:
        log.warning("No KPI chart for %s: %s", team, error.user_message)
        finish_chart(engine, team, fingerprint, problem="no_bot_token")
    except (SlackClientError, OSError) as error:
        log.warning("Uploading the KPI chart of %s failed: %s", team, type(error).__name__)
        finish_chart(engine, team, fingerprint, problem="upload_failed")
    except Exception:  # a broken matplotlib must not leave the claim hanging
        log.exception("Drawing the KPI chart of %s failed", team)
        finish_chart(engine, team, fingerprint, problem="drawing_failed")
    else:
        finish_chart(engine, team, fingerprint, file_id=file_id)
        return True
    return False


def refresh_team_charts(runtime: Runtime) -> dict[str, int]:
    """After a collection: upload the new chart of every team whose chart was shown before,
    so their next view has it at once (teams nobody looked at upload on their first view)."""
    settings = runtime.settings.kpis
    specs = headline_kpis(settings)
    counts = {"uploaded": 0, "failed": 0, "current": 0}
    if not specs:
        return counts
    for team in charted_groups(runtime.engine):
        kpis = team_kpis(
            runtime.engine, runtime.catalog, specs, team, window_days=settings.window_days
        )
        if not charted_kpis(kpis):
            continue
        fingerprint = readings_fingerprint(kpis)
        if not claim_chart(runtime.engine, team, fingerprint):
            counts["current"] += 1
            continue
        uploaded = upload_chart(runtime, kpis, fingerprint, team_name(runtime, team))
        counts["uploaded" if uploaded else "failed"] += 1
    return counts


def _image(file_id: str, specs: list[KpiSpec], name: str) -> Block:
    titles = [s.title for s in specs]
    listed = ", ".join(titles[:-1]) + " and " + titles[-1] if len(titles) > 1 else titles[0]
    title = f"{listed}: {name}"
    return {
        "type": "image",
        "slack_file": {"id": file_id},
        "alt_text": bk.truncate(f"{title}, per day over both windows", 2000),
        "title": {"type": "plain_text", "text": bk.truncate(title, 2000)},
    }


def _failure_note(problem: str | None) -> str:
    code, _, needed = (problem or "upload_failed").partition(":")
    if code == "missing_scope":
        scope = needed or "files:write"
        why = f"the app lacks the {bk.code(scope)} scope; reinstall it with that scope"
    elif code == "no_bot_token":
        why = "greenroom has no bot token of one workspace to upload with (see the log)"
    elif code == "drawing_failed":
        why = "it could not be drawn; the failure is logged"
    else:
        why = f"Slack said {bk.code(code)}"
    return f":warning: No KPI chart: {why}. The sparklines above show the same days."
