"""Nudges (opt-in per migration): what each owning team has left, and a claim that lets a
nudge go out at most once per interval, also with several workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from catalog.database import as_utc, writer
from catalog.groups import Person, members_of
from catalog.refs import EntityRef, parse_ref
from catalog.store import Catalog
from catalog.tech_migrations.definition import MigrationDefinition
from catalog.tech_migrations.group_tree import GroupTree
from catalog.tech_migrations.remaining import RemainingItem, remaining_by_owner
from catalog.tech_migrations.tables import migration_nudges, migration_results

__all__ = ["Nudge", "claim_nudge", "nudges_due", "release_nudge"]


@dataclass(frozen=True, slots=True)
class Nudge:
    """A reminder for one team: DM its ``members`` or post to its ``channel`` (``send_to``).
    ``channel`` is None when the group has no ``slack.com/channel`` annotation."""

    migration_id: str
    migration_title: str
    deadline: date | None
    team: EntityRef
    team_name: str
    send_to: str
    channel: str | None
    members: tuple[Person, ...]
    items: tuple[RemainingItem, ...]
    interval: timedelta


def nudges_due(
    engine: Engine,
    catalog: Catalog,
    migration: MigrationDefinition,
    *,
    now: datetime | None = None,
) -> list[Nudge]:
    """One nudge per group that directly owns unfinished entities and was not nudged within
    the interval; empty when the migration does not opt in."""
    if migration.nudges is None:
        return []
    now = (now or datetime.now(UTC)).astimezone(UTC)
    interval = migration.nudges.every
    with engine.connect() as conn:
        owners = conn.execute(
            select(migration_results.c.owner_ref)
            .distinct()
            .where(
                migration_results.c.migration_id == migration.id,
                migration_results.c.status != "pass",
                migration_results.c.owner_ref.like("group:%"),
            )
        ).scalars()
        teams = sorted(parse_ref(o) for o in owners)
        last = dict(
            conn.execute(
                select(migration_nudges.c.group_ref, migration_nudges.c.last_nudged_at).where(
                    migration_nudges.c.migration_id == migration.id
                )
            ).all()
        )
    tree = GroupTree.cached(catalog)
    waiting = [
        team
        for team in teams
        if team in tree.groups
        and (str(team) not in last or as_utc(last[str(team)]) <= now - interval)
    ]
    remaining = remaining_by_owner(engine, catalog, migration.id, waiting)
    due = []
    for team in waiting:
        node = tree.groups[team]
        own = tuple(remaining.get(team, ()))
        if not own:
            continue
        members = tuple(members_of(catalog, team)) if migration.nudges.send_to == "members" else ()
        due.append(
            Nudge(
                migration_id=migration.id,
                migration_title=migration.title,
                deadline=migration.deadline,
                team=team,
                team_name=node.display_name,
                send_to=migration.nudges.send_to,
                channel=node.slack_channel,
                members=members,
                items=own,
                interval=interval,
            )
        )
    return due


def claim_nudge(engine: Engine, nudge: Nudge, *, now: datetime | None = None) -> bool:
    """Record that ``nudge`` is being sent; False if it was already sent within its interval
    (by this or another worker). Call right before sending."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    table = migration_nudges
    key = (table.c.migration_id == nudge.migration_id) & (table.c.group_ref == str(nudge.team))
    with writer(engine).begin() as conn:
        claimed = conn.execute(
            update(table)
            .where(key, table.c.last_nudged_at <= now - nudge.interval)
            .values(last_nudged_at=now)
        ).rowcount
        if claimed:
            return True
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(table).values(
                        migration_id=nudge.migration_id,
                        group_ref=str(nudge.team),
                        last_nudged_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True


def release_nudge(engine: Engine, nudge: Nudge, *, claimed_at: datetime) -> None:
    """Undo the claim made at ``claimed_at`` (Slack took none of its messages), so the next
    round sends it again instead of waiting out the interval."""
    table = migration_nudges
    with writer(engine).begin() as conn:
        conn.execute(
            delete(table).where(
                table.c.migration_id == nudge.migration_id,
                table.c.group_ref == str(nudge.team),
                table.c.last_nudged_at == claimed_at.astimezone(UTC),
            )
        )
