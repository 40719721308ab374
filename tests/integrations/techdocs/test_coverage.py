"""Docs coverage for a team: fine, failing (with why), missing, not buildable here."""

from __future__ import annotations

from catalog import parse_ref
from integrations.techdocs import docs_coverage, owner_coverage

from .docs_world import World


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


def test_entity_never_built_is_not_built(world: World) -> None:
    settings = world.settings.model_copy(update={"storage_dir": world.settings.root / "empty"})
    coverage = docs_coverage(world.catalog, settings, [parse_ref("component:payments-api")])
    assert coverage.items[0].status == "ok", "records, not the folder, say what was built"
    other = docs_coverage(world.catalog, world.settings, [parse_ref("group:team-pay")])
    assert other.items[0].status == "no_docs"
