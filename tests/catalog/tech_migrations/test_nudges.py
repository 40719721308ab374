"""Nudges: per owning team, what is left; at most once per interval, also when racing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from catalog import Catalog
from catalog.tech_migrations import claim_nudge, evaluate_migration, nudges_due

from .conftest import NO_CUSTOM

DOCKER312 = {"type": "file-matches", "path": "Dockerfile", "pattern": r"^FROM python:3\.12"}
NOW = datetime(2027, 1, 4, 9, tzinfo=UTC)


def test_nudges_are_opt_in(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312])
    evaluate_migration(engine, migration, custom=NO_CUSTOM)
    assert nudges_due(engine, catalog, migration, now=NOW) == []


def test_each_owning_team_gets_its_own_items_and_members(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312], nudges={"interval": "7d"})
    evaluate_migration(engine, migration, custom=NO_CUSTOM)
    due = {n.team.name: n for n in nudges_due(engine, catalog, migration, now=NOW)}
    assert sorted(due) == ["checkout-squad", "payments-core", "search-squad"]
    payments = due["payments-core"]
    assert [i.ref.name for i in payments.items] == ["ledger"]
    assert [p.email for p in payments.members] == ["alice@acme.example"]
    assert (payments.send_to, payments.channel) == ("members", "C0PAYMENTS")
    assert [i.ref.name for i in due["search-squad"].items] == ["legacy-search"]


def test_a_nudge_goes_out_once_per_interval(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312], nudges={"interval": "7d", "send_to": "channel"})
    evaluate_migration(engine, migration, custom=NO_CUSTOM)
    [checkout] = [
        n
        for n in nudges_due(engine, catalog, migration, now=NOW)
        if n.team.name == "checkout-squad"
    ]
    assert checkout.members == ()
    assert claim_nudge(engine, checkout, now=NOW) is True
    assert claim_nudge(engine, checkout, now=NOW + timedelta(minutes=1)) is False
    later = nudges_due(engine, catalog, migration, now=NOW + timedelta(days=3))
    assert "checkout-squad" not in {n.team.name for n in later}
    week = NOW + timedelta(days=7)
    assert "checkout-squad" in {
        n.team.name for n in nudges_due(engine, catalog, migration, now=week)
    }
    assert claim_nudge(engine, checkout, now=week) is True
    assert claim_nudge(engine, checkout, now=week) is False


def test_racing_workers_send_a_nudge_once(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    migration = make_migration([DOCKER312], nudges={"interval": "1d"})
    evaluate_migration(engine, migration, custom=NO_CUSTOM)
    nudge = nudges_due(engine, catalog, migration, now=NOW)[0]
    with ThreadPoolExecutor(max_workers=4) as pool:
        claims = list(pool.map(lambda _: claim_nudge(engine, nudge, now=NOW), range(8)))
    assert claims.count(True) == 1
