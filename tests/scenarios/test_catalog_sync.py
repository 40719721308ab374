"""``admin sync``: an admin syncs the catalog now; a worker does it and the answer says what
changed. Without a live worker the request waits in the queue and the admin is told.

Removals held for an admin (a source that shrank too much, a source gone from greenroom.yaml)
show in ``/greenroom admin`` and in ``/metrics``; the button allows them, checked at the click."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.capabilities import job_registry
from catalog import Catalog
from catalog.holds import list_open_holds
from catalog.sources import DirectorySource
from catalog.sync import SyncOptions, SyncReport, sync_catalog
from jobs import Worker
from tests.jobs.conftest import make_runtime
from tests.scenarios.workspace import ALICE, CAROL, Workspace

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)

NEW_SERVICE = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: brand-new-service
spec: {type: service, lifecycle: experimental, owner: payments}
"""


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, object]:
    # the folder the `acme` fixture writes and syncs as source "test"
    folder = str(tmp_path / "catalog")
    trusted = [{"allow": ["User", "Group"]}]  # it holds the people too
    return {"sources": [{"name": "test", "type": "directory", "path": folder, "rules": trusted}]}


@pytest.fixture
def ws(
    serve_greenroom: Callable[..., Workspace], acme: None, sources: dict[str, object]
) -> Workspace:
    return serve_greenroom(admins=["group:payments"], config={"catalog": sources})


@pytest.fixture
def worker(database_url: str, tmp_path: Path, sources: dict[str, object]) -> Iterator[Worker]:
    runtime = make_runtime(database_url, tmp_path / "worker", catalog=sources)
    instance = Worker(runtime, registry=job_registry())
    instance.start()
    yield instance
    instance.stop(grace=0)
    instance.engine.dispose()


def test_an_admin_sync_runs_on_the_worker_and_reports_what_changed(
    ws: Workspace, worker: Worker, tmp_path: Path
) -> None:
    catalog_file = tmp_path / "catalog" / "catalog-info.yaml"
    catalog_file.write_text(catalog_file.read_text() + NEW_SERVICE)
    answer = ws.text(ws.ask("admin sync", user=ALICE))
    assert "finished: 1 added, 0 updated, 0 removed, 0 errors" in answer
    assert "Payments" in ws.text(ws.ask("owner brand-new-service", user=ALICE))


def test_without_a_worker_the_request_is_queued_and_the_admin_told(ws: Workspace) -> None:
    answer = ws.text(ws.ask("admin sync test", user=ALICE))
    assert "Sync queued as run #" in answer
    assert "no worker is running" in answer
    assert "greenroom worker" in answer


def test_unknown_sources_and_non_admins_are_refused(ws: Workspace) -> None:
    assert "No catalog source named nope. Sources: test." in ws.text(
        ws.ask("admin sync nope", user=ALICE)
    )
    assert "for greenroom admins only" in ws.text(ws.ask("admin sync", user=CAROL))


# -- removals held for an admin ----------------------------------------------------------

FEW = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, children: []}
"""


def hold_test_source(engine: Engine, tmp_path: Path, text: str = FEW) -> SyncReport:
    """The folder shrinks and the worker's scheduled sync holds it."""
    (tmp_path / "catalog" / "catalog-info.yaml").write_text(text)
    options = SyncOptions(trigger="worker:schedule", configured=frozenset({"test"}))
    return sync_catalog(engine, [DirectorySource("test", tmp_path / "catalog")], options)


def test_admins_see_a_held_source_and_allow_its_removals_with_one_click(
    ws: Workspace, worker: Worker, engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    before = len(list(catalog.entities()))
    held = hold_test_source(engine, tmp_path).sources[0]
    assert held.status == "held" and held.hold is not None
    listing = ws.ask("admin", user=ALICE)
    text = ws.text(listing)
    assert (
        f"test* is held: its last sync would remove *{held.hold.removing} of its {before}" in text
    )
    assert "no additions or updates either" in text
    label = f"Allow these {held.hold.removing} removals"
    assert label in ws.buttons(listing)
    assert ws.metric("greenroom_catalog_holds", reason="removals") == 1
    assert ws.metric("greenroom_catalog_held_removals", source="test") == held.hold.removing
    done = ws.reply(ws.click(listing, label, user=ALICE))
    assert f"Done: {held.hold.removing} entities of test removed." in ws.text(done)
    assert [str(e.ref) for e in catalog.entities()] == ["group:default/payments"]
    with engine.connect() as conn:
        assert list_open_holds(conn) == []
    assert ws.metric("greenroom_catalog_holds", reason="removals") == 0


def test_a_non_admin_clicking_the_button_is_refused_and_nothing_is_confirmed(
    ws: Workspace, engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    held = hold_test_source(engine, tmp_path).sources[0]
    assert held.hold is not None
    listing = ws.ask("admin", user=ALICE)
    refused = ws.reply(ws.click(listing, f"Allow these {held.hold.removing} removals", user=CAROL))
    assert "for greenroom admins only" in ws.text(refused)
    with engine.connect() as conn:
        [hold] = list_open_holds(conn)
    assert hold.confirmed_by is None


def test_a_notice_a_newer_sync_replaced_shows_the_new_numbers_instead(
    ws: Workspace, engine: Engine, tmp_path: Path
) -> None:
    search = "---\nkind: Component\napiVersion: backstage.io/v1alpha1\nmetadata: {name: search}\n"
    search += "spec: {type: service, lifecycle: production, owner: search}\n"
    first = hold_test_source(engine, tmp_path, FEW + search).sources[0].hold
    listing = ws.ask("admin", user=ALICE)
    second = hold_test_source(engine, tmp_path).sources[0].hold
    assert first is not None and second is not None and second.hold_id != first.hold_id
    answer = ws.reply(ws.click(listing, f"Allow these {first.removing} removals", user=ALICE))
    assert f"now would remove {second.removing} of" in ws.text(answer)
    assert f"Allow these {second.removing} removals" in ws.buttons(answer)
    with engine.connect() as conn:
        [hold] = list_open_holds(conn)
    assert hold.confirmed_by is None


def test_a_source_removed_from_greenroom_yaml_is_listed_and_removed_on_request(
    ws: Workspace, worker: Worker, engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "catalog-info.yaml").write_text(NEW_SERVICE)
    sync_catalog(engine, [DirectorySource("old", old)])
    hold_test_source(engine, tmp_path, (tmp_path / "catalog" / "catalog-info.yaml").read_text())
    listing = ws.ask("admin", user=ALICE)
    assert "old* is no longer in greenroom.yaml. Its *1 entities* stay" in ws.text(listing)
    assert ws.metric("greenroom_catalog_holds", reason="source_removed") == 1
    done = ws.reply(ws.click(listing, "Remove its 1 entities now", user=ALICE))
    assert "Done: 1 entities of old removed." in ws.text(done)
    assert catalog.get("component:brand-new-service") is None


def test_allowing_removals_typed_without_anything_held_says_so(ws: Workspace) -> None:
    answer = ws.text(ws.ask("admin removals allow test", user=ALICE))
    assert "'test' has no removals waiting for a confirmation" in answer
    assert "Nothing is waiting for an admin." in answer
    assert "no catalog source is held" in ws.text(ws.ask("admin removals", user=ALICE))
    usage = ws.text(ws.ask("admin removals allow", user=ALICE))
    assert "Usage: admin removals [allow <source>]" in usage
