"""``migrations [<id> [--by level] | <id> mine]``: tech migrations in Slack. The overview of
every migration, one migration's leaderboard (with the chart posted to the channel), what the
caller's teams still have to do; and their open items on the Home tab.

Everything runs after the ack (the router calls handlers on a listener thread): drawing the
chart (matplotlib, imported on first use) and uploading it happen there, and a failed upload
only adds a note under the text answer, which is sent either way.
"""

from __future__ import annotations

import difflib
import logging
import shlex
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

from slack_bolt import App

from catalog import EntityRef
from catalog.groups import groups_of_user
from catalog.tech_migrations import (
    GroupTree,
    Leaderboard,
    MigrationDefinition,
    MigrationNotFound,
    MigrationProgress,
    MigrationSet,
    RemainingItem,
    TeamItems,
    leaderboard,
    load_migrations,
    migration_chart,
    migration_progress,
    my_items,
    open_items_for_user,
    progress_overview,
)
from commands.migrations.blocks import (
    home_section,
    leaderboard_reply,
    mine_reply,
    not_found_reply,
    overview_reply,
    problem_lines,
    source_links,
    upload_chart,
)
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.home import HomeContext
from slackkit.replies import Reply
from slackkit.router import Ask

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    """Add the ``migrations`` subcommand and the Home tab's open migration items."""
    definitions = _Definitions(deps)
    command = deps.settings.slack.command

    def answer_migrations(ask: Ask) -> Reply:
        opts = ask.options(values={"by"})
        loaded = definitions.get()
        if not opts.positional:
            if "by" in opts.values:
                raise UsageError("Which migration? For example `migrations <id> --by squad`.")
            return _overview(deps, loaded, definitions.folder)
        wanted, *rest = opts.positional
        migration = _find(loaded, wanted, ask, definitions.folder, command)
        if isinstance(migration, Reply):
            return migration
        if [w.lower() for w in rest] == ["mine"]:
            if "by" in opts.values:
                raise UsageError("`mine` lists entities, not groups: leave out --by.")
            return _mine(deps, ask, migration)
        if rest:
            raise UsageError(
                f"I don't know {' '.join(rest)!r} after the id: ask for "
                f"`migrations {migration.id}`, `... --by squad` or `... mine`."
            )
        level = opts.values.get("by") or deps.settings.migrations.default_level
        return _leaderboard(deps, ask, migration, level)

    deps.router.add(
        "migrations",
        answer_migrations,
        summary="Tech migrations: progress, leaderboards by tribe or squad, what your teams "
        "have left",
        usage="migrations [<id> [--by tribe|squad] | <id> mine]",
        examples=("migrations", "migrations <id> --by squad", "migrations <id> mine"),
        aliases=("migration",),
    )

    def open_items(home: HomeContext) -> list[Block]:
        person = home.caller.person
        if person is None or definitions.folder is None:
            return []
        loaded = definitions.get()
        by_id = {m.id: m for m in loaded.migrations}
        found = open_items_for_user(deps.engine, deps.catalog, loaded.migrations, person.ref)
        entries = [(by_id[items.migration_id], items) for items in found]
        teams = [team for _, items in entries for team in items.teams]
        links = _links(deps, _remaining(teams))
        return home_section(entries, today=_today(), command=command, links=links)

    deps.home.add_section("migrations", open_items, order=35, max_blocks=6)


class _Definitions:
    """The definitions under ``migrations.path``, read again only when a file changed."""

    def __init__(self, deps: Deps) -> None:
        settings = deps.settings
        self.folder = settings.migrations.folder(settings.config_dir)
        self._cached: tuple[object, MigrationSet] | None = None
        self._lock = threading.Lock()

    def get(self) -> MigrationSet:
        if self.folder is None:
            return MigrationSet()
        key = _signature(self.folder)
        with self._lock:
            if self._cached is not None and self._cached[0] == key:
                return self._cached[1]
        loaded = load_migrations(self.folder)
        with self._lock:
            self._cached = (key, loaded)
        return loaded


def _signature(folder: Path) -> object:
    if not folder.is_dir():
        return None
    return sorted(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for p in folder.rglob("*")
        if p.suffix in {".yaml", ".yml"} and p.is_file()
    )


def _today() -> date:
    return datetime.now(UTC).date()


def _overview(deps: Deps, loaded: MigrationSet, folder: Path | None) -> Reply:
    today = _today()
    overview = progress_overview(deps.engine, loaded.migrations, today=today)
    return overview_reply(
        overview,
        {m.id: m for m in loaded.migrations},
        problems=problem_lines(loaded.problems, folder),
        today=today,
        command=deps.settings.slack.command,
    )


def _find(
    loaded: MigrationSet, wanted: str, ask: Ask, folder: Path | None, command: str
) -> MigrationDefinition | Reply:
    """The migration, or an answer naming close ids (or the reasons its definition is bad)."""
    try:
        return loaded.get(wanted)
    except MigrationNotFound:
        pass
    key = wanted.strip().lower()
    invalid = [p for p in loaded.problems if p.migration == key]
    close = [i for i in loaded.ids if key and (key in i or i in key)]
    close += difflib.get_close_matches(key, loaded.ids, n=3, cutoff=0.5)
    words = ask.words
    rest = words[:]
    if wanted in rest:
        rest.remove(wanted)
    suggestions = {i: shlex.join(["migrations", i, *rest]) for i in dict.fromkeys(close)}
    return not_found_reply(
        wanted,
        loaded.ids,
        suggestions=dict(list(suggestions.items())[:3]),
        invalid=problem_lines(invalid, folder),
        command=command,
    )


def _leaderboard(deps: Deps, ask: Ask, migration: MigrationDefinition, level: str) -> Reply:
    today = _today()
    trend = deps.settings.migrations.trend_days
    progress = migration_progress(deps.engine, migration, today=today, trend_days=trend)
    board = leaderboard(deps.engine, deps.catalog, migration.id, level=level, today=today)
    highlight: set[EntityRef] = set()
    mine = None
    person = ask.caller.person
    if person is not None and board.day is not None:
        tree = GroupTree.cached(deps.catalog)
        for team in groups_of_user(deps.catalog, person.ref):
            highlight.update((team, *tree.ancestors(team)))
        mine = my_items(deps.engine, deps.catalog, migration, person.ref)
    notes = []
    if board.day is not None and ask.channel_id and ask.via in {"command", "mention"}:
        notes.append(_post_chart(ask, migration, progress, board))
    return leaderboard_reply(
        migration,
        progress,
        board,
        today=today,
        command=deps.settings.slack.command,
        highlight=highlight,
        mine=mine,
        links=_links(deps, [] if mine is None else _remaining(mine.teams)),
        notes=notes,
    )


def _post_chart(
    ask: Ask, migration: MigrationDefinition, progress: MigrationProgress, board: Leaderboard
) -> str:
    """Draw the chart and post it where the command was typed; a note saying how it went."""
    assert ask.channel_id is not None
    title = f"{migration.title}: by {board.level}"
    try:
        png = migration_chart(progress, board)
    except Exception:  # a broken matplotlib must not cost the text answer
        log.exception("Drawing the chart of %s failed", migration.id)
        return ":warning: The chart could not be drawn; the failure is logged."
    problem = upload_chart(
        ask.client, channel=ask.channel_id, png=png, title=title, thread_ts=ask.thread_ts
    )
    if problem is not None:
        return f":warning: No chart: {bk.escape(problem)}."
    where = "this thread" if ask.thread_ts else "this channel"
    return f":bar_chart: The chart (burn-up and one bar per group) is posted in {where}."


def _mine(deps: Deps, ask: Ask, migration: MigrationDefinition) -> Reply:
    person = ask.caller.person
    if person is None:
        raise UsageError(
            "I could not match you to a catalog user, so I don't know your teams; "
            f"`{deps.settings.slack.command} whoami` says why."
        )
    items = my_items(deps.engine, deps.catalog, migration, person.ref)
    return mine_reply(
        migration,
        items,
        teams=groups_of_user(deps.catalog, person.ref),
        today=_today(),
        command=deps.settings.slack.command,
        links=_links(deps, _remaining(items.teams)),
    )


def _remaining(teams: Iterable[TeamItems]) -> list[RemainingItem]:
    return [item for team in teams for item in team.remaining]


def _links(deps: Deps, items: Iterable[RemainingItem]) -> dict[EntityRef, str]:
    refs = {item.ref for item in items}
    return source_links(deps.catalog.get_many(refs).values()) if refs else {}
