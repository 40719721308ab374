"""Sync semantics on SQLite and PostgreSQL: upserts, removals, nothing lost, conflicts."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from catalog import Catalog, parse_ref
from catalog.lookup import find_entity
from catalog.ownership import owner_of
from catalog.sources import DirectorySource, LocationSource, ScannedFile
from catalog.sources.base import FileReaderLike
from catalog.sync import SourceReport, SyncReport, sync_catalog
from catalog.tables import entities, sync_runs


def component(name: str, owner: str = "team-a", **extra: str) -> str:
    lines = "".join(f"\n  {k}: {v}" for k, v in extra.items())
    return (
        textwrap.dedent(
            f"""\
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
        spec:
          type: service
          lifecycle: production
          owner: {owner}"""
        )
        + lines
        + "\n"
    )


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sync(engine: Engine, *roots: Path, name: str = "src") -> SyncReport:
    sources = [DirectorySource(f"{name}{i or ''}", root) for i, root in enumerate(roots)]
    return sync_catalog(engine, sources)


def refs(catalog: Catalog) -> set[str]:
    return {str(e.ref) for e in catalog.entities()}


def test_first_sync_adds_and_records_origin(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    write(tmp_path, "svc/catalog-info.yaml", component("svc"))
    report = sync(engine, tmp_path)
    assert report.sources[0].added == ["component:default/svc"]
    stored = catalog.get("component:default/svc")
    assert stored is not None
    assert stored.source == "src"
    assert stored.location == f"file:{(tmp_path / 'svc/catalog-info.yaml').resolve()}"
    assert stored.line == 1
    assert stored.entity_dir == str((tmp_path / "svc").resolve())
    assert stored.repo_dir == str((tmp_path / "svc").resolve())


def test_repo_dir_is_the_nearest_git_folder(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    (tmp_path / "mono/.git").mkdir(parents=True)
    write(tmp_path, "mono/services/svc/catalog-info.yaml", component("svc"))
    sync(engine, tmp_path)
    stored = catalog.get("component:svc")
    assert stored is not None and stored.repo_dir == str((tmp_path / "mono").resolve())


def test_unchanged_entities_are_not_rewritten(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    write(tmp_path, "a/catalog-info.yaml", component("a"))
    write(tmp_path, "b/catalog-info.yaml", component("b"))
    sync(engine, tmp_path)
    before = catalog.get("component:a")
    generation = catalog.generation()
    write(tmp_path, "b/catalog-info.yaml", component("b", owner="team-b"))
    report = sync(engine, tmp_path)
    source = report.sources[0]
    assert source.updated == ["component:default/b"] and source.unchanged == 1
    assert source.files_unchanged == 1
    after = catalog.get("component:a")
    assert before is not None and after is not None
    assert (after.etag, after.updated_at, after.uid) == (before.etag, before.updated_at, before.uid)
    b = catalog.get("component:b")
    assert b is not None and b.entity.spec["owner"] == "team-b"
    assert catalog.generation() == generation + 1


def test_a_no_change_resync_changes_nothing(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    write(tmp_path, "a/catalog-info.yaml", component("a"))
    sync(engine, tmp_path)
    generation = catalog.generation()
    report = sync(engine, tmp_path)
    assert report.sources[0].added == report.sources[0].updated == report.sources[0].removed == []
    assert report.sources[0].unchanged == 1
    assert catalog.generation() == generation


def test_entities_the_source_no_longer_emits_are_removed(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    write(tmp_path, "a/catalog-info.yaml", component("a"))
    gone = write(tmp_path, "b/catalog-info.yaml", component("b"))
    sync(engine, tmp_path)
    gone.unlink()
    report = sync(engine, tmp_path)
    assert report.sources[0].removed == ["component:default/b"]
    assert refs(catalog) == {"component:default/a"}
    assert catalog.relations("group:team-a") == [
        r for r in catalog.relations("group:team-a") if r.target.name == "a"
    ]


def test_an_unreadable_source_keeps_everything(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    root = tmp_path / "repo"
    write(root, "a/catalog-info.yaml", component("a"))
    sync(engine, root)
    root.rename(tmp_path / "moved")
    report = sync(engine, root)
    assert report.sources[0].status == "unavailable"
    assert "not a readable folder" in (report.sources[0].error or "")
    assert report.status == "failed" and report.exit_code == 1
    assert refs(catalog) == {"component:default/a"}


def test_one_unreadable_source_of_two_is_partial_and_exits_zero(
    engine: Engine, tmp_path: Path
) -> None:
    write(tmp_path / "ok", "a/catalog-info.yaml", component("a"))
    report = sync(engine, tmp_path / "ok", tmp_path / "missing")
    assert report.status == "partial" and report.exit_code == 0


def test_an_invalid_edit_keeps_the_last_good_version(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    path = write(tmp_path, "a/catalog-info.yaml", component("a"))
    sync(engine, tmp_path)
    path.write_text(component("a").replace("lifecycle: production", "lifecycle: ''"))
    report = sync(engine, tmp_path)
    (problem,) = report.sources[0].errors
    assert problem.ref == "component:default/a" and problem.field == "spec.lifecycle"
    assert str(problem).startswith("a/catalog-info.yaml:1: ")
    stored = catalog.get("component:a")
    assert stored is not None and stored.entity.spec["lifecycle"] == "production"


def test_a_yaml_error_keeps_the_files_entities_and_loads_its_other_documents(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    path = write(tmp_path, "a/catalog-info.yaml", component("a") + "---\n" + component("b"))
    sync(engine, tmp_path)
    path.write_text(component("a") + "---\nmetadata: [oops\n---\n" + component("c"))
    report = sync(engine, tmp_path)
    assert any("YAML syntax error" in p.message for p in report.sources[0].errors)
    assert refs(catalog) == {"component:default/a", "component:default/b", "component:default/c"}


def test_bad_input_is_reported_with_file_and_line_without_stopping_others(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    text = "\n---\n".join(
        [
            component("good-one").strip(),
            "- just\n- a list",
            component("has space").strip(),
            component("no-kind-dep").strip() + "\n  dependsOn: [db]",
            "apiVersion: backstage.io/v9\nkind: Component\nmetadata: {name: v9}\nspec: {}",
            component("good-two").strip(),
        ]
    )
    write(tmp_path, "x/catalog-info.yaml", text)
    write(tmp_path, "y/catalog-info.yaml", "not: [valid")
    write(tmp_path, "z/catalog-info.yaml", "\x00\x01binary")
    report = sync(engine, tmp_path)
    messages = [str(p) for p in report.sources[0].errors]
    assert refs(catalog) == {"component:default/good-one", "component:default/good-two"}
    assert any("x/catalog-info.yaml:10: Expected object at root" in m for m in messages)
    assert any("metadata.name" in m and "'has space'" in m for m in messages)
    assert any("spec.dependsOn[0]" in m for m in messages)
    assert any("Unknown apiVersion 'backstage.io/v9'" in m for m in messages)
    assert any(m.startswith("y/catalog-info.yaml") and "YAML" in m for m in messages)
    assert any(m.startswith("z/catalog-info.yaml") for m in messages)
    assert report.exit_code == 0


def test_problems_of_unchanged_files_are_still_reported(engine: Engine, tmp_path: Path) -> None:
    write(tmp_path, "y/catalog-info.yaml", "not: [valid")
    first = sync(engine, tmp_path)
    second = sync(engine, tmp_path)
    assert [str(p) for p in second.sources[0].errors] == [str(p) for p in first.sources[0].errors]


def test_same_ref_from_two_sources_first_claimant_keeps_it(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    first = write(tmp_path / "one", "svc/catalog-info.yaml", component("svc", owner="team-one"))
    write(tmp_path / "two", "svc/catalog-info.yaml", component("SVC", owner="team-two"))
    report = sync(engine, tmp_path / "one", tmp_path / "two")
    (conflict,) = report.sources[1].conflicts
    assert conflict.ref == "component:default/svc"
    assert conflict.kept == f"file:{first.resolve()}"
    assert "Detected conflicting entityRef component:default/svc" in conflict.message
    stored = catalog.get("component:svc")
    assert stored is not None and stored.entity.spec["owner"] == "team-one"
    # when the first claimant lets go, the second takes over on its next sync
    first.unlink()
    sync(engine, tmp_path / "one", tmp_path / "two")
    stored = catalog.get("component:svc")
    assert stored is not None and stored.entity.spec["owner"] == "team-two"


def test_same_ref_twice_in_one_source_is_a_conflict(engine: Engine, tmp_path: Path) -> None:
    write(tmp_path, "a/catalog-info.yaml", component("dup"))
    write(tmp_path, "b/catalog-info.yaml", component("dup", owner="other"))
    report = sync(engine, tmp_path)
    assert [c.ref for c in report.sources[0].conflicts] == ["component:default/dup"]


def test_of_three_files_claiming_a_ref_the_one_that_stores_it_keeps_it(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    keeper = write(tmp_path, "b/catalog-info.yaml", component("dup", owner="team-b"))
    sync(engine, tmp_path)
    first = write(tmp_path, "a/catalog-info.yaml", component("dup", owner="team-a"))
    last = write(tmp_path, "c/catalog-info.yaml", component("dup", owner="team-c"))
    report = sync(engine, tmp_path)
    conflicts = report.sources[0].conflicts
    assert [(c.ref, c.kept, c.rejected) for c in conflicts] == [
        ("component:default/dup", f"file:{keeper.resolve()}", f"file:{first.resolve()}"),
        ("component:default/dup", f"file:{keeper.resolve()}", f"file:{last.resolve()}"),
    ]
    stored = catalog.get("component:dup")
    assert stored is not None and stored.entity.spec["owner"] == "team-b"


def test_moving_a_file_keeps_the_entity_and_its_uid(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    old = write(tmp_path, "old/catalog-info.yaml", component("svc"))
    sync(engine, tmp_path)
    uid = catalog.get("component:svc").uid  # type: ignore[union-attr]
    old.rename(write(tmp_path, "new/catalog-info.yaml", "").resolve())
    report = sync(engine, tmp_path)
    assert report.sources[0].updated == ["component:default/svc"]
    stored = catalog.get("component:svc")
    assert (
        stored is not None
        and stored.uid == uid
        and stored.location.endswith("new/catalog-info.yaml")
    )


def test_sync_runs_are_stored_with_their_report(engine: Engine, tmp_path: Path) -> None:
    write(tmp_path, "a/catalog-info.yaml", component("a", dependsOn="[resource:missing-db]"))
    report = sync(engine, tmp_path)
    with engine.connect() as conn:
        row = conn.execute(select(sync_runs).where(sync_runs.c.id == report.run_id)).one()
    assert row.status == "ok" and row.finished_at is not None
    assert row.report["sources"][0]["added"] == ["component:default/a"]
    assert row.report["dangling_total"] == 2  # the missing owner group and the missing db
    assert {d["missing"] for d in row.report["dangling"]} == {
        "group:default/team-a",
        "resource:default/missing-db",
    }


def test_stored_document_is_exactly_what_was_written(engine: Engine, tmp_path: Path) -> None:
    write(tmp_path, "a/catalog-info.yaml", component("a", custom="{nested: [1, two]}"))
    sync(engine, tmp_path)
    with engine.connect() as conn:
        document = conn.execute(select(entities.c.document)).scalar_one()
    assert '"custom":{"nested":[1,"two"]}' in document
    assert '"namespace"' not in document  # defaults are not written into the document


def test_local_text_placeholders_are_inlined_and_remote_ones_kept_with_a_warning(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    write(tmp_path, "api/spec.yaml", "openapi: 3.0.0\n")
    api = textwrap.dedent(
        """\
        apiVersion: backstage.io/v1alpha1
        kind: API
        metadata: {name: %s}
        spec:
          type: openapi
          lifecycle: production
          owner: team-a
          definition:
            $text: %s
        """
    )
    write(tmp_path, "api/catalog-info.yaml", api % ("local", "./spec.yaml"))
    write(tmp_path, "remote/catalog-info.yaml", api % ("remote", "https://example.com/spec.yaml"))
    write(tmp_path, "escape/catalog-info.yaml", api % ("escape", "../../../../etc/passwd"))
    report = sync(engine, tmp_path)
    local = catalog.get("api:local")
    remote = catalog.get("api:remote")
    assert local is not None and local.entity.spec["definition"] == "openapi: 3.0.0\n"
    assert (
        remote is not None and remote.entity.spec["definition"] == "https://example.com/spec.yaml"
    )
    assert any("was not fetched" in p.message for p in report.sources[0].warnings)
    assert any("outside the source" in p.message for p in report.sources[0].errors)
    assert catalog.get("api:escape") is None


def test_location_missing_target_keeps_what_it_had(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    write(
        tmp_path,
        "catalog-info.yaml",
        textwrap.dedent(
            """\
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: root}
        spec:
          targets: [./a.yaml, ./b.yaml]
        """
        ),
    )
    write(tmp_path, "a.yaml", component("a"))
    b = write(tmp_path, "b.yaml", component("b"))
    source = LocationSource("loc", tmp_path / "catalog-info.yaml")
    sync_catalog(engine, [source])
    b.unlink()
    report = sync_catalog(engine, [source])
    assert "target ./b.yaml does not exist" in str(report.sources[0].errors[0])
    assert refs(catalog) == {"location:default/root", "component:default/a", "component:default/b"}
    report = sync_catalog(engine, [source])  # and again: still kept, still reported
    assert refs(catalog) == {"location:default/root", "component:default/a", "component:default/b"}
    assert report.sources[0].errors


class _BrokenSource:
    """A source greenroom itself fails on (a bug while reading, not an unreachable source)."""

    name = "broken"

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        yield from ()
        raise KeyError("spec")


class _BrokenProgress:
    def file_read(self, source: str, path: str) -> None:
        return None

    def source_done(self, report: SourceReport) -> None:
        raise RuntimeError("terminal went away")


def test_a_source_greenroom_fails_on_is_reported_and_the_others_still_sync(
    engine: Engine, catalog: Catalog, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "a/catalog-info.yaml", component("a"))
    sources = [_BrokenSource(), DirectorySource("src", tmp_path)]
    report = sync_catalog(engine, sources)
    broken, fine = report.sources
    assert (broken.status, broken.error) == ("failed", "greenroom failed on it (KeyError: 'spec')")
    assert fine.added == ["component:default/a"]
    assert report.status == "partial"
    assert "catalog sync of source 'broken' failed" in caplog.text
    assert "Traceback" in caplog.text
    with engine.connect() as conn:
        row = conn.execute(select(sync_runs).where(sync_runs.c.id == report.run_id)).one()
    assert row.status == "partial" and row.finished_at is not None
    assert row.report["sources"][0]["error"] == "greenroom failed on it (KeyError: 'spec')"


def test_a_sync_that_breaks_off_still_ends_its_run_with_the_error(
    engine: Engine, tmp_path: Path
) -> None:
    write(tmp_path, "a/catalog-info.yaml", component("a"))
    with pytest.raises(RuntimeError, match="terminal went away"):
        sync_catalog(engine, [DirectorySource("src", tmp_path)], progress=_BrokenProgress())
    with engine.connect() as conn:
        row = conn.execute(select(sync_runs)).one()
    assert row.status == "failed" and row.finished_at is not None
    assert row.report == {"error": "RuntimeError: terminal went away"}


def test_runs_whose_process_died_are_marked_abandoned(engine: Engine, tmp_path: Path) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=7)
    recent = datetime.now(UTC) - timedelta(minutes=5)
    with engine.begin() as conn:
        for started in (long_ago, recent):
            conn.execute(
                insert(sync_runs).values(trigger="worker", status="running", started_at=started)
            )
    sync(engine, tmp_path)
    with engine.connect() as conn:
        statuses = conn.execute(select(sync_runs.c.status).order_by(sync_runs.c.id)).scalars().all()
    assert statuses == ["abandoned", "running", "ok"]


def test_a_custom_kind_relates_through_its_common_fields(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    write(
        tmp_path,
        "data/catalog-info.yaml",
        "apiVersion: acme.com/v1\nkind: Dataset\nmetadata: {name: orders}\n"
        "spec: {type: table, owner: team-a, system: shop, dependsOn: [resource:warehouse]}\n",
    )
    write(tmp_path, "team/catalog-info.yaml", GROUP_TEAM_A)
    sync(engine, tmp_path)
    answer = owner_of(catalog, find_entity(catalog, "orders"))
    assert answer.team is not None and answer.team.ref.name == "team-a"
    parts = catalog.relations("system:shop", types={"hasPart"})
    assert [str(r.target) for r in parts] == ["dataset:default/orders"]
    assert (
        catalog.summaries([parse_ref("dataset:orders")])[parse_ref("dataset:orders")].spec_type
        == "table"
    )


def test_a_custom_kind_with_an_invalid_ref_is_reported_and_keeps_its_last_version(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "data/catalog-info.yaml",
        "apiVersion: acme.com/v1\nkind: Dataset\nmetadata: {name: orders}\nspec: {owner: team-a}\n",
    )
    sync(engine, tmp_path)
    path.write_text(
        "apiVersion: acme.com/v1\nkind: Dataset\nmetadata: {name: orders}\n"
        "spec: {owner: team-b, dependsOn: [warehouse]}\n"
    )
    report = sync(engine, tmp_path)
    [error] = report.sources[0].errors
    assert (error.file, error.line, error.field) == (
        "data/catalog-info.yaml",
        1,
        "spec.dependsOn[0]",
    )
    assert "is not a valid reference" in error.message
    stored = catalog.get("dataset:orders")
    assert stored is not None and stored.entity.spec["owner"] == "team-a"


GROUP_TEAM_A = (
    "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\n"
    "spec: {type: team, children: []}\n"
)
