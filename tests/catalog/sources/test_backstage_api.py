from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import Engine

from catalog import Catalog
from catalog.sources import BackstageApiSource
from catalog.sync import sync_catalog
from tests.fakes.backstage_api import FakeBackstage, serve_backstage


def api_entity(name: str, owner: str = "team-a", kind: str = "Component") -> dict[str, Any]:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"uid-{name}",
            "etag": f"etag-{name}",
            "annotations": {
                "backstage.io/managed-by-location": f"url:https://github.com/acme/{name}/blob/main/catalog-info.yaml",
                "backstage.io/managed-by-origin-location": "url:https://github.com/acme/root.yaml",
            },
        },
        "spec": {"type": "service", "lifecycle": "production", "owner": owner},
        "relations": [{"type": "ownedBy", "targetRef": f"group:default/{owner}"}],
        "status": {"items": []},
    }


@pytest.fixture
def fake() -> FakeBackstage:
    items = [api_entity(f"svc-{i:03d}") for i in range(25)]
    items.append(
        api_entity("team-a", kind="Group")
        | {"spec": {"type": "team", "children": []}, "relations": []}
    )
    return FakeBackstage(items, token="s3cret")


def test_pages_through_every_entity_with_the_token(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        source = BackstageApiSource("backstage", fake.url, token="s3cret", page_size=10)
        report = sync_catalog(engine, [source])
    assert report.status == "ok"
    assert len(report.sources[0].added) == 26
    assert len(fake.requests) == 3
    assert all(r["auth"] == "Bearer s3cret" for r in fake.requests)
    assert set(fake.requests[1]["query"]) == {"cursor", "limit"}  # the cursor carries the query
    stored = catalog.get("component:svc-007")
    assert stored is not None
    assert stored.location.startswith("url:https://github.com/acme/svc-007/")
    assert stored.repo_dir is None
    owned = catalog.relations("group:team-a", types={"ownerOf"})
    assert len(owned) == 25


def test_filters_are_sent_as_repeated_params(
    catalog: Catalog, engine: Engine, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        source = BackstageApiSource("b", fake.url, token="s3cret", filters=["kind=group"])
        sync_catalog(engine, [source])
    assert fake.requests[0]["query"]["filter"] == ["kind=group"]
    assert [str(e.ref) for e in catalog.entities()] == ["group:default/team-a"]


def test_unchanged_entities_are_skipped_and_changes_picked_up(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        source = BackstageApiSource("backstage", fake.url, token="s3cret", page_size=100)
        sync_catalog(engine, [source])
        changed = copy.deepcopy(fake.entities[3])
        changed["spec"]["lifecycle"] = "deprecated"
        changed["metadata"]["etag"] = "etag-new"
        fake.entities[3] = changed
        del fake.entities[5]
        report = sync_catalog(engine, [source])
    source_report = report.sources[0]
    assert source_report.updated == ["component:default/svc-003"]
    assert source_report.removed == ["component:default/svc-005"]
    assert source_report.files_unchanged == 24


@pytest.mark.parametrize(
    ("token", "fail_with", "reason"),
    [
        ("wrong", None, "HTTP 401 (AuthenticationError: Missing credentials)"),
        ("s3cret", 500, "HTTP 500 (Error: Internal error)"),
    ],
)
def test_an_api_failure_keeps_the_catalog(
    engine: Engine,
    catalog: Catalog,
    fake: FakeBackstage,
    token: str,
    fail_with: int | None,
    reason: str,
) -> None:
    with serve_backstage(fake):
        sync_catalog(engine, [BackstageApiSource("backstage", fake.url, token="s3cret")])
        fake.fail_with = fail_with
        report = sync_catalog(engine, [BackstageApiSource("backstage", fake.url, token=token)])
    assert report.sources[0].status == "unavailable"
    assert reason in (report.sources[0].error or "")
    assert "s3cret" not in (report.sources[0].error or "")
    assert len(list(catalog.entities())) == 26


def test_a_failure_half_way_through_paging_keeps_the_catalog(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        sync_catalog(engine, [BackstageApiSource("b", fake.url, token="s3cret", page_size=10)])
        fake.fail_on_page = 2
        report = sync_catalog(
            engine, [BackstageApiSource("b", fake.url, token="s3cret", page_size=10)]
        )
    assert report.sources[0].status == "unavailable"
    assert len(list(catalog.entities())) == 26


def test_an_unreachable_backstage_is_unavailable(engine: Engine) -> None:
    report = sync_catalog(engine, [BackstageApiSource("b", "http://127.0.0.1:9", timeout=2)])
    assert report.sources[0].status == "unavailable"
    assert "could not reach http://127.0.0.1:9" in (report.sources[0].error or "")


def test_invalid_entities_from_the_api_are_reported(engine: Engine, fake: FakeBackstage) -> None:
    broken = api_entity("ok")
    broken["metadata"]["name"] = "not ok!"
    fake.entities.append(broken)
    with serve_backstage(fake):
        report = sync_catalog(engine, [BackstageApiSource("b", fake.url, token="s3cret")])
    assert any("metadata.name" in p.message for p in report.sources[0].errors)
