"""What is left, for a team (with its sub-groups) and for a person ("mine", Home tab)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from catalog import Catalog
from catalog.refs import parse_ref
from catalog.tech_migrations import (
    evaluate_migration,
    my_items,
    open_items_for_user,
    team_items,
)

from .conftest import NO_CUSTOM

DOCKER312 = {"type": "file-matches", "path": "Dockerfile", "pattern": r"^FROM python:3\.12"}


def test_a_tribe_sees_every_entity_left_below_it_with_reasons(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312])
    evaluate_migration(engine, migration, custom=NO_CUSTOM)
    items = team_items(engine, catalog, migration.id, parse_ref("group:shopping-tribe"))
    assert (items.display_name, items.done, items.total) == ("Shopping Tribe", 1, 4)
    assert [(i.ref.name, i.owner.short if i.owner else None) for i in items.remaining] == [
        ("checkout", "group:checkout-squad"),
        ("legacy-search", "group:search-squad"),
        ("toolbox", "user:dave"),
    ]
    [failure] = items.remaining[0].failures
    assert failure.reason == r"Dockerfile does not match /^FROM python:3\.12/"


def test_mine_lists_my_teams_and_what_i_own(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312])
    evaluate_migration(engine, migration, custom=NO_CUSTOM)
    dave = my_items(engine, catalog, migration, parse_ref("user:dave"))
    assert [(t.owner.short, t.done, t.total) for t in dave.teams] == [
        ("group:search-squad", 1, 3),
        ("user:dave", 0, 1),
    ]
    assert dave.remaining == 3
    alice = my_items(engine, catalog, migration, parse_ref("user:alice"))
    assert [i.ref.name for t in alice.teams for i in t.remaining] == ["ledger"]


def test_the_home_tab_shows_only_migrations_with_work_left(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    python = make_migration([DOCKER312], id="python")
    done = make_migration([{"type": "spec-equals", "field": "type", "value": "service"}], id="done")
    for migration in (python, done):
        evaluate_migration(engine, migration, custom=NO_CUSTOM)
    found = open_items_for_user(engine, catalog, [python, done], parse_ref("user:bob"))
    assert [(m.migration_id, m.remaining) for m in found] == [("python", 1)]
    (company / "repos" / "checkout" / "Dockerfile").write_text("FROM python:3.12\n")
    evaluate_migration(engine, python, custom=NO_CUSTOM)
    assert open_items_for_user(engine, catalog, [python, done], parse_ref("user:bob")) == []
