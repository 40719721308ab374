"""The Backstage API source against the loopback fake of a real backend: paging, tokens,
processing errors, unprocessed entities, restarts, and errors that say what to fix."""

from __future__ import annotations

import copy
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from catalog import Catalog
from catalog.database import create_database_engine, upgrade_schema
from catalog.source_config import BackstageSourceConfig, build_source, source_from_cli
from catalog.sources import BackstageApiSource, LocationSource
from catalog.sync import sync_catalog
from tests.catalog.corpus_served import failed_states, served_by_backstage
from tests.fakes.backstage_api import QUERY, FakeBackstage, refresh_state, serve_backstage


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
        "relations": [
            {"type": "ownedBy", "targetRef": f"group:default/{owner}"},
            {"type": "partOf", "targetRef": "system:default/audio"},
        ],
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


def source(fake: FakeBackstage, **options: Any) -> BackstageApiSource:
    return BackstageApiSource("backstage", fake.url, **({"token": "s3cret"} | options))


def test_pages_through_every_entity_with_the_token(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        report = sync_catalog(engine, [source(fake, page_size=10)])
    assert report.status == "ok"
    assert len(report.sources[0].added) == 26
    pages = [r for r in fake.requests if r["path"] == QUERY]
    assert len(pages) == 3
    assert all(r["auth"] == "Bearer s3cret" for r in fake.requests)
    assert set(pages[1]["query"]) == {"cursor", "limit"}  # the cursor carries the query
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
        sync_catalog(engine, [source(fake, filters=["kind=group"])])
    assert fake.requests[0]["query"]["filter"] == ["kind=group"]
    assert [str(e.ref) for e in catalog.entities()] == ["group:default/team-a"]


def test_unchanged_entities_are_skipped_and_changes_picked_up(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        sync_catalog(engine, [source(fake, page_size=100)])
        changed = copy.deepcopy(fake.entities[3])
        changed["spec"]["lifecycle"] = "deprecated"
        changed["metadata"]["etag"] = "etag-new"
        fake.entities[3] = changed
        del fake.entities[5]
        report = sync_catalog(engine, [source(fake, page_size=100)])
    source_report = report.sources[0]
    assert source_report.updated == ["component:default/svc-003"]
    assert source_report.removed == ["component:default/svc-005"]
    assert source_report.files_unchanged == 24


def test_a_restarted_backstage_with_fresh_uids_and_etags_updates_nothing(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        sync_catalog(engine, [source(fake)])
        before = {str(e.ref): (e.uid, e.etag) for e in catalog.entities()}
        fake.restart()
        report = sync_catalog(engine, [source(fake)])
    again = report.sources[0]
    assert (again.added, again.updated, again.removed) == ([], [], [])
    assert again.files_unchanged == 26
    assert {str(e.ref): (e.uid, e.etag) for e in catalog.entities()} == before
    shown = catalog.as_backstage(catalog.get("component:svc-001"))  # type: ignore[arg-type]
    assert shown["metadata"]["uid"] == before["component:default/svc-001"][0]


def test_a_relation_that_changes_updates_the_entity(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        sync_catalog(engine, [source(fake)])
        fake.entities[0]["relations"].append(
            {"type": "dependsOn", "targetRef": "resource:default/db"}
        )
        report = sync_catalog(engine, [source(fake)])
    assert report.sources[0].updated == ["component:default/svc-000"]
    needs = catalog.relations("component:svc-000", types={"dependsOn"})
    assert [str(r.target) for r in needs] == ["resource:default/db"]


@pytest.mark.parametrize(
    ("token", "fail_with", "reason"),
    [
        ("wrong", None, "HTTP 401 (AuthenticationError: Illegal token)"),
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
        sync_catalog(engine, [source(fake)])
        fake.fail_with = fail_with
        report = sync_catalog(engine, [source(fake, token=token, token_env="BACKSTAGE_TOKEN")])
    assert report.sources[0].status == "unavailable"
    error = report.sources[0].error or ""
    assert reason in error
    assert f"GET {fake.url}/api/catalog/entities/by-query" in error
    assert "s3cret" not in error and "wrong" not in error
    if fail_with is None:
        assert "refused the token from $BACKSTAGE_TOKEN" in error
    assert len(list(catalog.entities())) == 26


def test_without_a_token_the_401_names_the_variables_to_set(
    engine: Engine, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        report = sync_catalog(engine, [source(fake, token=None)])
    error = report.sources[0].error or ""
    assert "HTTP 401 (AuthenticationError: Missing credentials)" in error
    assert "greenroom sent no token" in error
    assert "GREENROOM_BACKSTAGE_TOKEN for greenroom sync --source backstage+URL" in error
    assert "token_env" in error


def test_an_ad_hoc_source_sends_the_token_from_the_environment(
    engine: Engine, catalog: Catalog, fake: FakeBackstage, tmp_path: Path
) -> None:
    with serve_backstage(fake):
        config = source_from_cli(f"backstage+{fake.url}", backstage_token=SecretStr("s3cret"))
        built = build_source(config, base_dir=tmp_path, cache_dir=tmp_path)
        report = sync_catalog(engine, [built])
        fake.token = "rotated"
        refused = sync_catalog(engine, [built])
    assert report.status == "ok" and len(list(catalog.entities())) == 26
    assert "refused the token from $GREENROOM_BACKSTAGE_TOKEN" in (refused.sources[0].error or "")


@pytest.mark.parametrize("suffix", ["/api/catalog", "/api/catalog/", "/api"])
def test_a_base_url_with_the_api_path_says_what_was_tried_and_what_is_expected(
    engine: Engine, fake: FakeBackstage, suffix: str
) -> None:
    with serve_backstage(fake):
        report = sync_catalog(engine, [BackstageApiSource("b", fake.url + suffix, token="s3cret")])
    error = report.sources[0].error or ""
    tried = f"GET {fake.url}{suffix.rstrip('/')}/api/catalog/entities/by-query answered HTTP 404"
    assert tried in error
    assert "base_url must be the Backstage backend's root URL" in error
    assert f"drop the trailing {suffix.rstrip('/')} from base_url" in error


def test_a_frontend_url_is_told_apart_from_the_backend(engine: Engine) -> None:
    with _frontend() as url:
        report = sync_catalog(engine, [BackstageApiSource("b", url)])
    assert "answered with a web page, not JSON" in (report.sources[0].error or "")


def test_the_request_timeout_is_a_setting(engine: Engine, tmp_path: Path) -> None:
    with _silent_server() as url:
        config = BackstageSourceConfig(name="slow", base_url=url, timeout_seconds=0.5)
        started = time.monotonic()
        report = sync_catalog(engine, [build_source(config, base_dir=tmp_path, cache_dir=tmp_path)])
    assert time.monotonic() - started < 10
    assert report.sources[0].status == "unavailable"
    assert "could not reach" in (report.sources[0].error or "")


def test_a_failure_half_way_through_paging_keeps_the_catalog(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        sync_catalog(engine, [source(fake, page_size=10)])
        fake.fail_on_page = 2
        report = sync_catalog(engine, [source(fake, page_size=10)])
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
        report = sync_catalog(engine, [source(fake)])
    assert any("metadata.name" in p.message for p in report.sources[0].errors)


def test_processing_errors_on_served_entities_are_reported_with_ref_and_reason(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    failing = fake.entities[2]
    with serve_backstage(fake):
        sync_catalog(engine, [source(fake)])
        failing["status"] = {
            "items": [
                {
                    "type": "backstage.io/catalog-processing",
                    "level": "error",
                    "message": "InputError: Policy check failed for component:default/svc-002",
                    "error": {"name": "InputError", "message": "Policy check failed"},
                },
                {"type": "acme.com/scorecard", "level": "error", "message": "not ours"},
            ]
        }
        failing["metadata"]["etag"] = "etag-after-error"
        report = sync_catalog(engine, [source(fake)])
        failing["status"] = {"items": []}
        cleared = sync_catalog(engine, [source(fake)])
    errors = report.sources[0].errors
    assert [(p.ref, p.file) for p in errors] == [
        (
            "component:default/svc-002",
            "url:https://github.com/acme/svc-002/blob/main/catalog-info.yaml",
        )
    ]
    assert "Backstage could not process it: InputError: Policy check failed" in errors[0].message
    assert report.sources[0].updated == []  # the entity itself did not change
    assert catalog.get("component:svc-002") is not None
    assert cleared.sources[0].errors == [] and cleared.sources[0].updated == []


def test_entities_backstage_failed_to_process_are_reported_and_keep_their_last_version(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        sync_catalog(engine, [source(fake)])
        broken = fake.entities.pop(4)
        error = {"name": "InputError", "message": "spec.owner must be a string"}
        fake.unprocessed = {"failed": [refresh_state(broken, [error])], "pending": []}
        report = sync_catalog(engine, [source(fake)])
    problems = report.sources[0].errors
    assert [p.ref for p in problems] == ["component:default/svc-004"]
    assert "does not serve it: InputError: spec.owner must be a string" in problems[0].message
    assert report.sources[0].removed == []
    assert catalog.get("component:svc-004") is not None


def test_entities_waiting_to_be_processed_are_kept_with_a_warning(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        sync_catalog(engine, [source(fake)])
        waiting = [fake.entities.pop(0), fake.entities.pop(0)]
        fake.unprocessed = {"failed": [], "pending": [refresh_state(e) for e in waiting]}
        report = sync_catalog(engine, [source(fake)])
    assert report.sources[0].removed == []
    warning = report.sources[0].warnings[0].message
    assert "Backstage has not processed 2 entities yet" in warning
    assert "component:default/svc-000" in warning
    assert catalog.get("component:svc-000") is not None


def test_without_the_unprocessed_module_its_404_is_skipped(
    engine: Engine, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        report = sync_catalog(engine, [source(fake)])
    asked = [r["path"] for r in fake.requests if "unprocessed" in r["path"]]
    assert asked == ["/api/catalog/entities/unprocessed/failed"]
    assert report.sources[0].problems == []


def test_the_corpus_served_by_backstage_syncs_exactly_57_entities_and_129_relations(
    engine: Engine, catalog: Catalog, corpus_dir: Path, tmp_path: Path
) -> None:
    scratch = create_database_engine(f"sqlite:///{tmp_path / 'files.db'}")
    upgrade_schema(scratch)
    sync_catalog(
        scratch,
        [
            LocationSource("examples", corpus_dir / "all.yaml", root=corpus_dir),
            LocationSource("acme", corpus_dir / "acme-corp.yaml", root=corpus_dir),
        ],
    )
    fake = FakeBackstage(served_by_backstage(Catalog(scratch), corpus_dir), token="t")
    fake.unprocessed = {"failed": failed_states(corpus_dir), "pending": []}
    scratch.dispose()
    with serve_backstage(fake):
        report = sync_catalog(engine, [BackstageApiSource("backstage", fake.url, token="t")])
        fake.restart()
        again = sync_catalog(engine, [BackstageApiSource("backstage", fake.url, token="t")])
    shown = [catalog.as_backstage(e) for e in catalog.entities()]
    assert len(shown) == 57
    assert sum(len(d["relations"]) for d in shown) == 129
    assert [(p.ref, p.level) for p in report.sources[0].problems] == [
        ("location:default/example-apis", "error")
    ]
    assert "NotFoundError: file" in report.sources[0].problems[0].message
    assert "hello-world-api.yaml does not exist" in report.sources[0].problems[0].message
    assert (again.sources[0].added, again.sources[0].updated) == ([], [])
    owner = catalog.relations("airesource:frontend-design", types={"ownedBy"})
    assert [str(r.target) for r in owner] == ["group:default/team-a"]


@contextmanager
def _frontend() -> Iterator[str]:
    """A web server answering every request with an HTML page (a frontend's index.html)."""
    body = b"<!doctype html><title>Backstage</title>"
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def answer() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                with conn:
                    conn.recv(65536)
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )

        threading.Thread(target=answer, daemon=True).start()
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@contextmanager
def _silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_an_empty_first_answer_holds_the_source_until_backstage_has_loaded(
    engine: Engine, catalog: Catalog, fake: FakeBackstage
) -> None:
    with serve_backstage(fake):
        sync_catalog(engine, [source(fake)])
        fake.restart()
        fake.empty_answers = 1
        starting = sync_catalog(engine, [source(fake)])
        loaded = sync_catalog(engine, [source(fake)])
    assert starting.sources[0].status == "held"
    assert starting.sources[0].hold is not None
    assert (starting.sources[0].hold.removing, starting.sources[0].hold.stored) == (26, 26)
    assert len(list(catalog.entities())) == 26
    after = loaded.sources[0]
    assert (after.status, after.added, after.updated, after.removed) == ("ok", [], [], [])
    assert after.hold is not None and (after.hold.resolution or "").startswith(
        "the source recovered"
    )
