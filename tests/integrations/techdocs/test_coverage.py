"""Docs coverage for a team: fine, failing (with why), missing, not buildable here."""

from __future__ import annotations

from pathlib import Path

from catalog import parse_ref
from integrations.techdocs import docs_coverage, owner_coverage

from .docs_world import World, docs_settings, make_repo, sqlite_engine, sync_folder


def test_coverage_of_a_team_and_its_sub_teams(world: World) -> None:
    coverage = owner_coverage(world.catalog, world.settings, parse_ref("group:payments-tribe"))
    states = {i.ref.name: i.status for i in coverage.items}
    assert states == {
        "broken": "failing",
        "legacy": "ok",
        "no-docs": "no_docs",
        "payments-api": "ok",
    }
    (broken,) = coverage.having("failing")
    assert broken.reason == (
        "page index.md links to missing missing.md (strict mode: warnings fail the build)"
    )
    assert broken.url is None, "nothing was ever built, so there is nothing to link"
    ok = {i.ref.name: i for i in coverage.having("ok")}
    assert ok["payments-api"].url == "/docs/default/component/payments-api/"
    assert ok["payments-api"].built_at is not None
    assert coverage.percent == 50


def test_remote_docs_are_unavailable_not_failing(world: World) -> None:
    coverage = owner_coverage(world.catalog, world.settings, parse_ref("group:team-shop"))
    states = {i.ref.name: (i.status, i.reason) for i in coverage.items}
    assert states["checkout"] == ("ok", None)
    status, reason = states["remote"]
    assert status == "unavailable" and "repository cache" in (reason or "")


def test_entity_never_built_is_not_built(tmp_path: Path) -> None:
    make_repo(tmp_path / "repos", "fresh", {"docs/index.md": "# Fresh\n"}, owner="team-pay")
    catalog = sync_folder(sqlite_engine(tmp_path / "db.sqlite"), tmp_path / "repos")
    coverage = docs_coverage(
        catalog, docs_settings(tmp_path / "sites"), [parse_ref("component:fresh")]
    )
    assert [(i.status, i.url) for i in coverage.items] == [("not_built", None)]
    assert coverage.percent == 0


def test_entities_without_docs_and_unknown_refs(world: World) -> None:
    coverage = docs_coverage(
        world.catalog, world.settings, [parse_ref("group:team-pay"), parse_ref("component:ghost")]
    )
    assert [(i.ref.name, i.status) for i in coverage.items] == [("team-pay", "no_docs")]
