"""How tech migrations read in Slack: the overview, a leaderboard, "mine", the Home section,
a channel digest, and posting the chart image.

Stable API for other parts of the app (the worker's digests use the last two)::

    digest_blocks(digest: MigrationDigest, *, command: str, max_rows: int = 15) -> list[Block]
    digest_text(digest: MigrationDigest) -> str          # the plain notification text
    upload_chart(client, *, channel: str, png: bytes, title: str,
                 thread_ts: str | None = None) -> str | None

``upload_chart`` posts a PNG with ``files_upload_v2`` (``files.getUploadURLExternal``, the
upload, ``files.completeUploadExternal``) and returns None, or a plain sentence saying why it
could not (escape it before putting it in mrkdwn); it never raises for Slack's or the
network's failures, so the text of an answer or digest is never lost to a failed image.

Everything from definitions and the catalog (titles, descriptions, names, check labels,
reasons) is escaped; links are built only from http(s) URLs (``bk.link``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from catalog import EntityRef, StoredEntity, parse_ref
from catalog.annotations import SOURCE_LOCATION
from catalog.tech_migrations import (
    DefinitionProblem,
    GroupProgress,
    Leaderboard,
    MigrationDefinition,
    MigrationDigest,
    MigrationProgress,
    MyItems,
    RemainingItem,
    TeamItems,
    Unplaced,
)
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import ref_text
from slackkit.replies import RUN_ACTION, Reply, ReplyState

__all__ = [
    "SOURCE_LOCATION",
    "deadline_text",
    "digest_blocks",
    "digest_text",
    "home_section",
    "leaderboard_reply",
    "mine_reply",
    "not_found_reply",
    "on_track_text",
    "overview_reply",
    "percent_text",
    "problem_lines",
    "progress_bar",
    "source_links",
    "upload_chart",
]

log = logging.getLogger(__name__)

_BAR_WIDTH = 10
_DESCRIPTION = 300
_REASON = 200
_NAME = 80
_TEAM_ITEMS = 10
_HOME_ITEMS = 8
_PROBLEMS = 10
_MEDALS = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}
_NOT_MEMBER = {"not_in_channel", "channel_not_found", "not_allowed", "cannot_dm_bot"}
_FILENAME = re.compile(r"[^a-z0-9]+")


# -- small pieces --------------------------------------------------------------------------
def progress_bar(percent: float, width: int = _BAR_WIDTH) -> str:
    """``█████░░░░░``: full only at 100%, never empty once something is done."""
    filled = round(max(0.0, min(percent, 100.0)) / 100 * width)
    if percent < 100:
        filled = min(filled, width - 1)
    if percent > 0:
        filled = max(filled, 1)
    return "█" * filled + "░" * (width - filled)


def percent_text(percent: float) -> str:
    """``41%``; never ``100%`` before everything is done, never ``0%`` after a first one."""
    shown = round(percent)
    if percent < 100:
        shown = min(shown, 99)
    if percent > 0:
        shown = max(shown, 1)
    return f"{shown}%"


def deadline_text(deadline: date | None, today: date) -> str:
    """``deadline 2027-03-31 (129 days left)``, ``... (3 days overdue)``, ``no deadline``."""
    if deadline is None:
        return "no deadline"
    days = (deadline - today).days
    if days > 0:
        left = f"{days} day{'s' if days != 1 else ''} left"
    elif days == 0:
        left = "due today"
    else:
        left = f"{-days} day{'s' if days != -1 else ''} overdue"
    return f"deadline {deadline.isoformat()} ({left})"


def on_track_text(progress: MigrationProgress) -> str:
    """Whether the trend of the daily snapshots finishes by the deadline, as mrkdwn."""
    if progress.total and progress.done == progress.total:
        return ":tada: done"
    finish = f" (est. {progress.projected_finish})" if progress.projected_finish else ""
    if progress.on_track is None:
        return ":grey_question: on track: unknown (too little history)"
    if progress.on_track:
        return f":white_check_mark: on track{finish}"
    return f":warning: behind{finish or ' (no progress trend)'}"


def _change_text(change: float | None, *, compared: bool) -> str:
    if not compared:
        return ""
    if change is None:
        return "new"
    if change == 0:
        return "±0"
    return f"{change:+.1f} pts"


def _done_text(done: int, total: int) -> str:
    return f"{done}/{total} done" if total else "nothing in scope"


def _name(text: str) -> str:
    return bk.escape(bk.truncate(" ".join(text.split()), _NAME))


def _description(text: str) -> str:
    return bk.escape(bk.truncate(" ".join(text.split()), _DESCRIPTION))


def source_links(stored: Iterable[StoredEntity]) -> dict[EntityRef, str]:
    """Each entity's repository URL from ``backstage.io/source-location`` (``url:`` only)."""
    found: dict[EntityRef, str] = {}
    for entity in stored:
        value = (entity.entity.annotation(SOURCE_LOCATION) or "").strip()
        url = value.removeprefix("url:")
        if value.startswith("url:") and url.startswith(("https://", "http://")):
            found[entity.ref] = url
    return found


def _entity(item: RemainingItem, links: Mapping[EntityRef, str]) -> str:
    url = links.get(item.ref)
    name = bk.truncate(" ".join(item.display_name.split()), _NAME)
    shown = bk.link(url, name) if url else bk.escape(name)
    mark = ":grey_question: _error_ " if item.status == "error" else ""
    return f"{mark}*{shown}* {ref_text(item.ref)}"


def _checks_left(item: RemainingItem) -> str:
    labels = [bk.escape(bk.truncate(f.check, 120)) for f in item.failures]
    return "; ".join(labels) or bk.escape(item.status)


def _item_line(item: RemainingItem, links: Mapping[EntityRef, str]) -> str:
    """One entity and the checks it does not pass (labels only)."""
    return f"• {_entity(item, links)} — {_checks_left(item)}"


def _item_lines_with_reasons(item: RemainingItem, links: Mapping[EntityRef, str]) -> str:
    """One entity and, for each check it does not pass, the check and the reason."""
    lines = [f"• {_entity(item, links)}"]
    for failure in item.failures:
        reason = bk.code(bk.truncate(" ".join(failure.reason.split()), _REASON))
        status = " _(could not tell)_" if failure.status == "error" else ""
        lines.append(f"      ◦ {bk.escape(bk.truncate(failure.check, 120))}{status}: {reason}")
    return "\n".join(lines)


def problem_lines(problems: Sequence[DefinitionProblem], folder: Path | None) -> list[str]:
    """Invalid definitions as escaped lines (file paths relative to the migrations folder)."""
    lines = []
    for problem in problems[:_PROBLEMS]:
        file = problem.file
        if folder is not None and Path(file).is_relative_to(folder):
            file = str(Path(file).relative_to(folder))
        shown = str(replace(problem, file=file))
        lines.append(f"• {bk.code(bk.truncate(shown, 500))}")
    if len(problems) > _PROBLEMS:
        lines.append(f"… and {len(problems) - _PROBLEMS} more")
    return lines


# -- the overview ------------------------------------------------------------------------
def _progress_line(progress: MigrationProgress, today: date) -> str:
    if not progress.evaluated:
        state = "_not evaluated yet_"
    else:
        state = (
            f"`{progress_bar(progress.percent)}` *{percent_text(progress.percent)}* · "
            f"{_done_text(progress.done, progress.total)}"
        )
        if progress.errors:
            state += f" · {progress.errors} could not be checked"
    return f"{state} · {deadline_text(progress.deadline, today)} · {on_track_text(progress)}"


def overview_reply(
    overview: Sequence[MigrationProgress],
    definitions: Mapping[str, MigrationDefinition],
    *,
    problems: Sequence[str] = (),
    today: date,
    command: str,
) -> Reply:
    """``/greenroom migrations``: every migration with its bar, numbers, deadline and trend
    (soonest deadline first, as ``progress_overview`` sorts them); ``problems`` are the
    :func:`problem_lines` of definitions that did not load."""
    head: list[Block] = [bk.header("Tech migrations")]
    if not overview and not problems:
        head.append(
            bk.section(
                "No migrations are defined. Put definition files in the folder "
                "`migrations.path` of greenroom.yaml names (docs/migrations.md)."
            )
        )
    lines = []
    for progress in overview:
        definition = definitions.get(progress.migration_id)
        text = f"*{_name(progress.title)}* {bk.code(progress.migration_id)}"
        text += f"\n{_progress_line(progress, today)}"
        if definition is not None and definition.description:
            text += f"\n{_description(definition.description)}"
        lines.append(text)
    footer: list[Block] = []
    if problems:
        footer.append(
            bk.section(
                f":warning: *{len(problems)} invalid definition"
                f"{'s' if len(problems) != 1 else ''}* (left out until fixed):\n"
                + "\n".join(problems)
            )
        )
    if overview:
        footer.append(
            bk.context(
                f"{bk.code(command + ' migrations <id>')} shows the leaderboard and chart; "
                f"{bk.code(command + ' migrations <id> mine')} what your teams have left."
            )
        )
    text = f"{len(overview)} tech migration{'s' if len(overview) != 1 else ''}"
    return Reply(text, tuple(head), tuple(lines), tuple(footer))


# -- a leaderboard -------------------------------------------------------------------------
def _row_line(row: GroupProgress, *, compared: bool, highlight: bool, level: str) -> str:
    rank = _MEDALS.get(row.rank, f"#{row.rank}") if row.percent > 0 else f"#{row.rank}"
    name = f"*{_name(row.display_name)}*"
    if highlight:
        name = f":point_right: {name} _(your {bk.escape(level)})_"
    parts = [
        f"{rank} {name}",
        f"`{progress_bar(row.percent)}` {percent_text(row.percent)}",
        f"{row.done}/{row.total}",
    ]
    change = _change_text(row.change, compared=compared)
    if change:
        parts.append(change)
    if row.errors:
        parts.append(f"{row.errors} unknown")
    return " · ".join(parts)


def _board_lines(
    board: Leaderboard, highlight: Collection[EntityRef], rows: Sequence[GroupProgress]
) -> list[str]:
    compared = board.compared_to is not None
    return [
        _row_line(r, compared=compared, highlight=r.ref in highlight, level=board.level)
        for r in rows
    ]


def _overall(progress: MigrationProgress, board: Leaderboard, since_label: str) -> str:
    text = (
        f"`{progress_bar(board.percent)}` *{percent_text(board.percent)}* · "
        f"{_done_text(board.done, board.total)}"
    )
    if board.done_change is not None and board.compared_to is not None:
        text += f" · {board.done_change:+d} done {since_label} {board.compared_to.isoformat()}"
    if progress.errors:
        text += f" · {progress.errors} could not be checked"
    return text


def _your_teams(
    mine: MyItems,
    board: Leaderboard,
    highlight: Collection[EntityRef],
    links: Mapping[EntityRef, str],
    command: str,
) -> list[Block]:
    lines = []
    for row in board.rows:
        if row.ref in highlight:
            lines.append(
                f":point_right: *{_name(row.display_name)}* is #{row.rank} of "
                f"{len(board.rows)} ({percent_text(row.percent)})"
            )
    shown = 0
    for team in mine.teams:
        left = len(team.remaining)
        lines.append(
            f"*{_name(team.display_name)}* {ref_text(team.owner)}: "
            f"{_done_text(team.done, team.total)}, "
            + (f"*{left} left*" if left else "nothing left :tada:")
        )
        for item in team.remaining:
            if shown >= _TEAM_ITEMS:
                break
            lines.append(_item_line(item, links))
            shown += 1
    hidden = mine.remaining - shown
    if hidden > 0:
        lines.append(
            f"… and {hidden} more: {bk.code(f'{command} migrations {mine.migration_id} mine')}"
        )
    if not lines:
        return []
    return [bk.section(chunk) for chunk in bk.pack_lines(["*Your teams*", *lines])][:3]


def leaderboard_reply(
    definition: MigrationDefinition,
    progress: MigrationProgress,
    board: Leaderboard,
    *,
    today: date,
    command: str,
    highlight: Collection[EntityRef] = (),
    mine: MyItems | None = None,
    links: Mapping[EntityRef, str] | None = None,
    notes: Sequence[str] = (),
) -> Reply:
    """``/greenroom migrations <id>``: the migration, then one line per group at
    ``board.level`` (paged). ``highlight``: the caller's groups (and their parents), marked in
    the board; ``mine``: what the caller's teams have left, entity by entity with the failing
    checks; ``notes``: escaped mrkdwn context lines (e.g. where the chart went)."""
    links = links or {}
    facts = [
        bk.code(definition.id),
        f"driven by {ref_text(_owner_ref(definition.owner))}",
        deadline_text(definition.deadline, today),
        on_track_text(progress),
    ]
    head: list[Block] = [bk.header(definition.title), bk.context(" · ".join(facts))]
    if definition.description:
        head.append(
            bk.context(bk.plain(bk.truncate(" ".join(definition.description.split()), 600)))
        )
    if board.day is None:
        head.append(
            bk.section(
                "_Not evaluated yet._ The worker evaluates every migration after each sync "
                "(or run `greenroom migrations evaluate`)."
            )
        )
        return Reply(f"{definition.title}: not evaluated yet", tuple(head), shareable=False)
    head.append(bk.section(_overall(progress, board, "since")))
    if mine is not None:
        head.extend(_your_teams(mine, board, highlight, links, command))
    since = (
        f"change since {board.compared_to.isoformat()}"
        if board.compared_to
        else "no snapshot from a week ago yet to compare with"
    )
    lines = [f"*By {bk.escape(board.level)}* ({len(board.rows)}, {since})"]
    lines += _board_lines(board, highlight, board.rows)
    if not board.rows:
        lines.append(f"_No {bk.escape(board.level)} has entities in scope._")
    lines += unplaced_lines(board.unplaced, board.level)
    footer: list[Block] = [bk.context(n) for n in notes]
    footer.append(
        bk.context(
            f"{bk.code(f'{command} migrations {definition.id} --by squad')} for another level · "
            f"{bk.code(f'{command} migrations {definition.id} mine')} for what your teams have left"
        )
    )
    text = (
        f"{definition.title}: {percent_text(board.percent)} done "
        f"({board.done}/{board.total}), by {board.level}"
    )
    return Reply(text, tuple(head), tuple(lines), tuple(footer))


def _owner_ref(owner: str) -> EntityRef:
    return parse_ref(owner, default_kind="group")


# -- mine -----------------------------------------------------------------------------------
def mine_reply(
    definition: MigrationDefinition,
    items: MyItems,
    *,
    teams: Sequence[EntityRef],
    today: date,
    command: str,
    links: Mapping[EntityRef, str] | None = None,
) -> Reply:
    """``/greenroom migrations <id> mine``: per team of the caller (``teams``: the groups the
    caller is in), done / total and every entity left with each failing check and its reason."""
    links = links or {}
    facts = [bk.code(definition.id), deadline_text(definition.deadline, today)]
    head: list[Block] = [
        bk.header(f"{definition.title}: your teams"),
        bk.context(" · ".join(facts)),
    ]
    if not items.teams:
        if not teams:
            why = (
                "You are not a member of any team in the catalog, and you own nothing in its "
                "scope. Ask to be added to your team (`spec.memberOf` of your User, or the "
                "group's `spec.members`)."
            )
        else:
            names = ", ".join(ref_text(t) for t in teams[:10])
            why = f"Nothing owned by your teams ({names}) is in the scope of this migration."
        head.append(bk.section(why))
        return Reply(f"{definition.title}: nothing for your teams", tuple(head), shareable=False)
    left = items.remaining
    head.append(
        bk.section(f"*{left} left* across your teams" if left else ":tada: Your teams are done.")
    )
    lines = []
    for team in items.teams:
        lines.append(
            f"*{_name(team.display_name)}* {ref_text(team.owner)} "
            f"`{progress_bar(team.percent)}` {percent_text(team.percent)} · "
            f"{_done_text(team.done, team.total)}, {len(team.remaining)} left"
        )
        lines.extend(_item_lines_with_reasons(item, links) for item in team.remaining)
    text = f"{definition.title}: {left} left for your teams"
    return Reply(text, tuple(head), tuple(lines))


# -- unknown ids ---------------------------------------------------------------------------
def not_found_reply(
    wanted: str,
    known: Sequence[str],
    *,
    suggestions: Mapping[str, str] | None = None,
    invalid: Sequence[str] = (),
    command: str,
) -> Reply:
    """No migration has the id ``wanted``: ``suggestions`` (close id -> the subcommand text to
    run instead) become buttons, else every ``known`` id is listed; ``invalid``: escaped
    :func:`problem_lines` when the id belongs to a definition that did not load."""
    if invalid:
        text = f"The definition of {bk.code(wanted)} is invalid, so it is left out until fixed:"
        blocks: list[Block] = [bk.section(text + "\n" + "\n".join(invalid))]
        return Reply(f"The definition of {wanted} is invalid", tuple(blocks), shareable=False)
    lead = f"No migration has the id {bk.code(wanted)}."
    buttons = []
    for i, (close, run) in enumerate((suggestions or {}).items()):
        value = ReplyState(run).encode()
        if value:
            buttons.append(bk.button(close, f"{RUN_ACTION}:{i}", value))
    if buttons:
        lead += " Did you mean:"
    elif known:
        lead += " Known: " + ", ".join(bk.code(k) for k in known[:20]) + "."
    else:
        lead += " None are defined yet."
    blocks = [bk.section(lead)]
    if buttons:
        blocks.append(bk.actions(buttons, block_id="greenroom.did_you_mean"))
    blocks.append(bk.context(f"{bk.code(command + ' migrations')} lists them all."))
    return Reply(f"No migration {wanted}", tuple(blocks), shareable=False)


# -- the Home tab --------------------------------------------------------------------------
def home_section(
    entries: Sequence[tuple[MigrationDefinition, MyItems]],
    *,
    today: date,
    command: str,
    links: Mapping[EntityRef, str] | None = None,
    limit: int = _HOME_ITEMS,
) -> list[Block]:
    """The caller's open migration items, soonest deadline first, at most ``limit`` entity
    lines, then "and N more"; nothing when nothing is left."""
    links = links or {}
    open_entries = [(d, items) for d, items in entries if items.remaining]
    if not open_entries:
        return []
    open_entries.sort(key=lambda e: (e[0].deadline or date.max, e[0].id))
    lines = ["*Tech migrations: what your teams have left*"]
    shown = total = 0
    for definition, items in open_entries:
        unique = _unique_items(items.teams)
        total += len(unique)
        if shown >= limit:
            continue
        lines.append(
            f"*{_name(definition.title)}* {bk.code(definition.id)} · "
            f"{deadline_text(definition.deadline, today)} · {len(unique)} left"
        )
        for item in unique[: limit - shown]:
            lines.append(_item_line(item, links))
            shown += 1
    if total > shown:
        lines.append(f"… and {total - shown} more")
    blocks = [bk.section(chunk) for chunk in bk.pack_lines(lines)]
    blocks.append(
        bk.context(f"{bk.code(command + ' migrations <id> mine')} lists every check and reason.")
    )
    return blocks


def _unique_items(teams: Iterable[TeamItems]) -> list[RemainingItem]:
    """Every entity left once, even when it counts for several of the caller's teams."""
    found: dict[EntityRef, RemainingItem] = {}
    for team in teams:
        for item in team.remaining:
            found.setdefault(item.ref, item)
    return sorted(found.values(), key=lambda i: str(i.ref))


# -- a channel digest ----------------------------------------------------------------------
def digest_text(digest: MigrationDigest) -> str:
    """The digest's notification text (plain; the sender escapes it like any message text)."""
    board = digest.board
    text = f"{digest.title}: {percent_text(board.percent)} done ({board.done}/{board.total})"
    if board.done_change is not None and board.compared_to is not None:
        text += f", {board.done_change:+d} since {board.compared_to.isoformat()}"
    return text


def digest_blocks(digest: MigrationDigest, *, command: str, max_rows: int = 15) -> list[Block]:
    """A scheduled digest for a channel: the migration, overall progress with the change since
    the last digest (``digest.board`` compares with it), the top ``max_rows`` groups of the
    leaderboard with their change, the deadline and on-track estimate, and what to ask next.
    At most 8 blocks, whatever the number of groups."""
    board, progress = digest.board, digest.progress
    today = datetime.now(UTC).date()
    if digest.deadline is not None and progress.days_left is not None:
        today = digest.deadline - timedelta(days=progress.days_left)  # the digest's own day
    facts = [
        bk.code(digest.migration_id),
        f"driven by {ref_text(_owner_ref(digest.owner))}",
        deadline_text(digest.deadline, today),
        on_track_text(progress),
    ]
    blocks: list[Block] = [
        bk.header(f"Tech migration: {digest.title}"),
        bk.context(" · ".join(facts)),
    ]
    if board.day is None:
        blocks.append(bk.section("_Not evaluated yet._"))
        return blocks
    blocks.append(bk.section(_overall(progress, board, "since the last digest,")))
    rows = board.rows[:max_rows]
    since = (
        f"change since {board.compared_to.isoformat()}"
        if board.compared_to
        else "no earlier snapshot to compare with"
    )
    lines = [f"*By {bk.escape(board.level)}* ({since})", *_board_lines(board, (), rows)]
    if len(board.rows) > len(rows):
        lines.append(f"… and {len(board.rows) - len(rows)} more")
    if not board.rows:
        lines.append(f"_No {bk.escape(board.level)} has entities in scope._")
    lines += unplaced_lines(board.unplaced, board.level, limit=3)
    blocks.extend(bk.section(chunk) for chunk in bk.pack_lines(lines)[:3])
    blocks.append(
        bk.context(
            f"{bk.code(f'{command} migrations {digest.migration_id}')} for the whole board · "
            f"{bk.code(f'{command} migrations {digest.migration_id} mine')} for what your teams "
            "have left"
        )
    )
    return blocks


# -- the chart -----------------------------------------------------------------------------
def upload_chart(
    client: WebClient,
    *,
    channel: str,
    png: bytes,
    title: str,
    thread_ts: str | None = None,
) -> str | None:
    """Post ``png`` to ``channel`` (in ``thread_ts``); None when it worked, else a plain
    sentence saying why not. Slack's errors and network failures are logged, never raised."""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        return "there was no chart image to post"
    filename = (_FILENAME.sub("-", title.lower()).strip("-")[:60] or "chart") + ".png"
    try:
        client.files_upload_v2(
            channel=channel,
            content=png,
            filename=filename,
            title=bk.truncate(title, 250),
            thread_ts=thread_ts,
        )
    except SlackApiError as error:
        code = str(error.response.get("error") or error.response.status_code)
        log.warning("Uploading a chart to %s failed: %s", channel, code)
        return _upload_problem(code, channel)
    except (SlackClientError, OSError) as error:
        log.warning("Uploading a chart to %s failed: %s", channel, type(error).__name__)
        return "the chart could not be uploaded to Slack (the upload failed); please try again"
    return None


def _upload_problem(code: str, channel: str) -> str:
    if code in _NOT_MEMBER:
        where = "this direct message" if channel[:1] == "D" else "this conversation"
        return (
            f"I am not a member of {where}, so I could not post the chart here (Slack said "
            f"{code}). Invite me to the channel, or ask in a channel I am in or in my "
            "Messages tab"
        )
    if code == "missing_scope":
        return (
            "I lack the files:write permission (Slack said missing_scope); reinstall the app "
            "from the current manifest"
        )
    if code == "is_archived":
        return "this channel is archived, so I could not post the chart here"
    return f"Slack refused the chart ({code}); please try again later"


def unplaced_lines(unplaced: Sequence[Unplaced], level: str, *, limit: int = 10) -> list[str]:
    """Escaped lines naming the entities no row counts, so the rows' totals add up."""
    if not unplaced:
        return []
    lines = [
        f":grey_question: *Not counted in any {bk.escape(level)}* ({len(unplaced)}): "
        "the rows above leave these out"
    ]
    for item in unplaced[:limit]:
        lines.append(f"• {bk.code(item.ref.short)}: {bk.escape(item.reason)}")
    if len(unplaced) > limit:
        lines.append(f"_…and {len(unplaced) - limit} more._")
    return lines
