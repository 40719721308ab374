"""A sync that parses in worker processes gives exactly what a sync in one process gives
(entities, relations, file rows, problems with their lines, the report), on SQLite and
PostgreSQL; and a SIGTERM during such a sync unwinds it and leaves no worker behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select

from catalog.database import create_database_engine
from catalog.sources import CatalogSource, DirectorySource, LocationSource, read_ahead
from catalog.sync import SyncOptions, SyncReport, sync_catalog
from catalog.tables import entities, relations, source_files, sync_runs

REPO = Path(__file__).resolve().parents[2]


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def _component(name: str, owner: str, *depends: str) -> str:
    needs = "".join(f"\n    - component:{d}" for d in depends)
    return f"""\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  description: the {name} service
spec:
  type: service
  lifecycle: production
  owner: {owner}
  dependsOn:{needs or " []"}
"""


def _catalog(root: Path) -> Path:
    """Enough files for several chunks of work, with every kind of outcome among them."""
    _write(
        root,
        "catalog-info.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata:
          name: all
        spec:
          targets: [./teams.yaml, ./services/*/catalog-info.yaml, ./more/index.yaml, ./nope.yaml]
        """,
    )
    _write(
        root,
        "teams.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata:
          name: team-a
        spec:
          type: team
          children: []
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata:
          name: team-b
        spec:
          type: team
          children: []
        """,
    )
    for i in range(260):
        text = _component(f"svc-{i}", "team-a" if i % 3 else "team-b", f"svc-{i - 1}")
        if i % 17 == 5:
            text += "---\nkind: [\n---\n" + _component(f"extra-{i}", "team-a")  # syntax error
        elif i % 23 == 7:
            text = text.replace("name: svc", "name: Bad Name svc")  # invalid entity
        elif i % 29 == 3:
            text = _component("svc-1", "team-b")  # the same ref again: a conflict
        elif i % 31 == 2:
            text += "---\n" + _component(f"doc-{i}", "team-a").replace(
                "description: the", "description:\n    $text: ./README.md\n  title: the"
            )
            _write(root, f"services/{i:03}/README.md", f"readme {i}\n")
        _write(root, f"services/{i:03}/catalog-info.yaml", text)
    # a Location found among the others, whose own targets come after every service
    _write(
        root,
        "more/index.yaml",
        """\
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata:
          name: more
        spec:
          targets: [./*/catalog-info.yaml, ../services/000/catalog-info.yaml]
        """,
    )
    for i in range(60):
        _write(root, f"more/m{i:02}/catalog-info.yaml", _component(f"more-{i}", "team-b"))
    return root / "catalog-info.yaml"


def _stored(engine: Engine, report: SyncReport) -> dict[str, Any]:
    varying = {"uid", "created_at", "updated_at"}
    columns = [c for c in entities.c if c.name not in varying]
    with engine.connect() as conn:
        stored = {
            "entities": conn.execute(select(*columns).order_by(entities.c.ref)).all(),
            "relations": sorted(conn.execute(select(relations)).all()),
            # not the stamps: a file is stamped once it is more than two seconds old
            "files": conn.execute(
                select(*(c for c in source_files.c if c.name != "stamp")).order_by(
                    source_files.c.source, source_files.c.path
                )
            ).all(),
        }
    as_json = report.to_json()
    for key in ("started_at", "finished_at", "run_id"):
        as_json.pop(key, None)
    for source in as_json["sources"]:
        source.pop("seconds", None)
    return stored | {"report": as_json}


def _forget(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in (relations, entities, source_files, sync_runs):
            conn.execute(delete(table))


def test_parsing_in_worker_processes_changes_nothing_in_the_result(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = _catalog(tmp_path / "cat")
    folder = tmp_path / "cat" / "services"
    chunks: list[int] = []
    submit = read_ahead.ParseWorkers.submit

    def counted(self: read_ahead.ParseWorkers, jobs: Any) -> Any:
        chunks.append(len(jobs))
        return submit(self, jobs)

    monkeypatch.setattr(read_ahead.ParseWorkers, "submit", counted)

    def sync(workers: int) -> dict[str, Any]:
        sources: list[CatalogSource] = [
            LocationSource("located", location, root=tmp_path / "cat"),
            DirectorySource("folder", folder),  # the same files: conflicts with the first
        ]
        report = sync_catalog(engine, sources, SyncOptions(parse_workers=workers))
        return _stored(engine, report)

    alone = sync(0)
    assert not chunks
    _forget(engine)
    together = sync(2)
    assert len(chunks) > 4  # both sources really were parsed by the workers
    assert together == alone
    report = alone["report"]["sources"]
    assert report[0]["added"] and report[0]["conflicts"] and report[1]["conflicts"]
    problems = [p for source in report for p in source["problems"]]
    assert any(p["message"].startswith("YAML syntax error") and p["line"] for p in problems)
    assert any("nope.yaml" in p["message"] for p in problems)
    assert any(p["ref"] and "Bad Name" in str(p) for p in problems)


def test_a_re_sync_through_workers_reads_only_what_changed(engine: Engine, tmp_path: Path) -> None:
    location = _catalog(tmp_path / "cat")
    source = LocationSource("located", location, root=tmp_path / "cat")
    first = sync_catalog(engine, [source], SyncOptions(parse_workers=2))
    _write(tmp_path / "cat", "services/004/catalog-info.yaml", _component("svc-4", "team-b"))
    again = sync_catalog(engine, [source], SyncOptions(parse_workers=2))
    [report] = again.sources
    assert report.updated == ["component:default/svc-4"]
    assert not report.added and not report.removed
    assert len(report.problems) == len(first.sources[0].problems)


_SLOW_SYNC = """
import json, multiprocessing, signal, sys, time
from pathlib import Path
from catalog.database import create_database_engine
from catalog.errors import raise_interrupted
from catalog.sources import DirectorySource
from catalog.sync import SyncOptions, sync_catalog

signal.signal(signal.SIGTERM, raise_interrupted)

class Slow:
    name = "slow"
    def __init__(self, inner):
        self.inner = inner
    def scan(self, reader):
        for i, scanned in enumerate(self.inner.scan(reader)):
            if i == 100:
                pids = [p.pid for p in multiprocessing.active_children()]
                print(json.dumps(pids), flush=True)
                time.sleep(120)
            yield scanned

engine = create_database_engine(sys.argv[1])
source = Slow(DirectorySource("slow", Path(sys.argv[2])))
sync_catalog(engine, [source], SyncOptions(parse_workers=2))
"""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for its (new) parent
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked on Linux")
def test_sigterm_while_workers_parse_unwinds_the_sync_and_stops_them(
    database_url: str, tmp_path: Path
) -> None:
    _catalog(tmp_path / "cat")
    sync = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SYNC, database_url, str(tmp_path / "cat" / "services")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert sync.stdout is not None
    workers = json.loads(sync.stdout.readline() or "null")
    assert workers, sync.communicate(timeout=30)
    sync.send_signal(signal.SIGTERM)
    _, stderr = sync.communicate(timeout=60)
    assert sync.returncode == 143, stderr
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in workers):
        assert time.monotonic() < deadline, f"worker processes left running: {workers}"
        time.sleep(0.1)
    engine = create_database_engine(database_url)
    with engine.connect() as conn:
        [run] = conn.execute(select(sync_runs.c.status, sync_runs.c.report)).all()
    engine.dispose()
    assert run.status == "interrupted"
    assert run.report == {"error": "interrupted: SIGTERM received: the process was asked to stop"}
