"""A file whose size, times and inode are as last read is not opened again, and every kind of
change to it is still seen: a rewrite within the same second, a replacement by rename, a
deletion, a Location pointing elsewhere."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from catalog import Catalog
from catalog.sources import DirectorySource, LocationSource
from catalog.sync import SyncOptions, SyncReport, sync_catalog
from catalog.tables import source_files

_opened: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], str):
        _opened.append(args[0])


sys.addaudithook(_audit)


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """Paths opened while the test runs (through Python's audit hooks)."""
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written before a sync count as settled (by default a file changed in the last
    two seconds gets no stamp, which would make these tests wait)."""
    monkeypatch.setattr("catalog.sources._files._RACY_NS", 0)


def component(name: str, description: str = "first") -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: {name}, description: {description}}}\n"
        "spec: {type: service, lifecycle: production, owner: team-a}\n"
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sync(engine: Engine, root: Path, **options: Any) -> SyncReport:
    source = DirectorySource("src", root)
    return sync_catalog(engine, [source], SyncOptions(allow_removals=frozenset({"src"}), **options))


def descriptions(catalog: Catalog) -> dict[str, str | None]:
    return {e.ref.name: e.entity.metadata.description for e in catalog.entities()}


def catalog_files(paths: list[str], root: Path) -> list[str]:
    return [p for p in paths if p.startswith(str(root)) and p.endswith(".yaml")]


def test_a_no_change_resync_opens_no_catalog_file(
    engine: Engine, catalog: Catalog, tmp_path: Path, settled: None, opened: list[str]
) -> None:
    for name in ("a", "b", "c"):
        write(tmp_path / name / "catalog-info.yaml", component(name))
    opened.clear()
    first = sync(engine, tmp_path)
    assert len(catalog_files(opened, tmp_path)) == 3
    opened.clear()

    again = sync(engine, tmp_path)

    assert catalog_files(opened, tmp_path) == []
    assert again.sources[0].files_unchanged == 3 and again.sources[0].unchanged == 3
    assert set(descriptions(catalog)) == {"a", "b", "c"} and first.exit_code == 0


def test_a_fresh_file_gets_no_stamp_so_a_rewrite_in_the_same_second_is_seen(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    path = write(tmp_path / "a" / "catalog-info.yaml", component("a", "first"))
    sync(engine, tmp_path)
    with engine.connect() as conn:
        assert conn.execute(select(source_files.c.stamp)).scalar_one() == ""
    stat = path.stat()
    write(path, component("a", "fresh"))  # same size, same second
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    sync(engine, tmp_path)

    assert descriptions(catalog) == {"a": "fresh"}


def test_a_rewrite_that_keeps_size_and_modification_time_is_seen(
    engine: Engine, catalog: Catalog, tmp_path: Path, settled: None
) -> None:
    path = write(tmp_path / "a" / "catalog-info.yaml", component("a", "first"))
    sync(engine, tmp_path)
    stat = path.stat()
    write(path, component("a", "again"))  # as `cp -p` does: same size, mtime put back
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    sync(engine, tmp_path)

    assert descriptions(catalog) == {"a": "again"}


def test_a_file_replaced_by_rename_is_read_again(
    engine: Engine, catalog: Catalog, tmp_path: Path, settled: None
) -> None:
    path = write(tmp_path / "a" / "catalog-info.yaml", component("a", "first"))
    sync(engine, tmp_path)
    stat = path.stat()
    other = write(tmp_path / "new.tmp", component("a", "moved"))
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    other.replace(path)  # as editors and git do: a new inode under the old name

    sync(engine, tmp_path)

    assert descriptions(catalog) == {"a": "moved"}


def test_a_deleted_file_removes_its_entities(
    engine: Engine, catalog: Catalog, tmp_path: Path, settled: None
) -> None:
    for name in ("a", "b", "c"):
        write(tmp_path / name / "catalog-info.yaml", component(name))
    sync(engine, tmp_path)
    (tmp_path / "b" / "catalog-info.yaml").unlink()

    report = sync(engine, tmp_path)

    assert set(descriptions(catalog)) == {"a", "c"}
    assert [str(r) for r in report.sources[0].removed] == ["component:default/b"]


def location(target: str) -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {{name: root}}
        spec: {{targets: [{target}]}}
        """
    )


def test_a_location_pointing_elsewhere_is_followed(
    engine: Engine, catalog: Catalog, tmp_path: Path, settled: None
) -> None:
    root = write(tmp_path / "catalog-info.yaml", location("./a.yaml"))
    write(tmp_path / "a.yaml", component("a"))
    write(tmp_path / "b.yaml", component("b"))
    source = LocationSource("src", root)
    options = SyncOptions(allow_removals=frozenset({"src"}))
    sync_catalog(engine, [source], options)
    assert set(descriptions(catalog)) == {"root", "a"}
    stat = root.stat()
    write(root, location("./b.yaml"))  # same size and mtime: only the content says so
    os.utime(root, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    sync_catalog(engine, [source], options)

    assert set(descriptions(catalog)) == {"root", "b"}


def test_an_unchanged_file_in_conflict_is_still_read_every_time(
    engine: Engine, catalog: Catalog, tmp_path: Path, settled: None, opened: list[str]
) -> None:
    write(tmp_path / "a" / "catalog-info.yaml", component("same"))
    write(tmp_path / "b" / "catalog-info.yaml", component("same"))
    sync(engine, tmp_path)
    write(tmp_path / "c" / "catalog-info.yaml", component("other"))  # no shortcut: a new file
    opened.clear()

    report = sync(engine, tmp_path)

    assert catalog_files(opened, tmp_path) == [
        str(tmp_path / "b" / "catalog-info.yaml"),
        str(tmp_path / "c" / "catalog-info.yaml"),
    ]
    assert len(report.sources[0].conflicts) == 1
