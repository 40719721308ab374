"""Tech-migration benchmark (issue 8).

1. Evaluate a migration with 5 checks (2 catalog, 1 relation, 2 repository) over the ~100k
   entities of a synthetic catalog (bench/synthetic.py), 10k of whose repository folders hold a
   real pyproject.toml and Dockerfile. Target: <= 10 s. Measured cold (first evaluation: every
   result inserted) and warm (re-evaluation, nothing changed).
2. Build a leaderboard over 2,000 groups (org -> 40 tribes -> 1,959 squads, 40k components).
   Target: p99 <= 200 ms, for squads (1,959 rows) and tribes (40 rows). Measured for the
   domain call alone, and as ``/greenroom migrations <id> --by LEVEL`` builds its answer:
   progress + leaderboard + Block Kit (commands/migrations/blocks.py) + the first page rendered.

    .venv/bin/python bench/migrations_bench.py [--postgres postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))

from sqlalchemy import Engine, delete  # noqa: E402

from bench.synthetic import write_catalog  # noqa: E402
from catalog import Catalog  # noqa: E402
from catalog.database import create_database_engine, upgrade_schema, writer  # noqa: E402
from catalog.sources import DirectorySource, LocationSource  # noqa: E402
from catalog.sync import sync_catalog  # noqa: E402
from catalog.tech_migrations import (  # noqa: E402
    CustomChecks,
    MigrationDefinition,
    evaluate_migration,
    leaderboard,
    migration_progress,
)
from catalog.tech_migrations.tables import migration_results  # noqa: E402
from commands.migrations.blocks import leaderboard_reply  # noqa: E402
from slackkit.replies import ReplyState, render_reply  # noqa: E402

MIGRATION = MigrationDefinition.model_validate(
    {
        "id": "bench",
        "title": "Benchmark migration",
        "owner": "org",
        "deadline": "2027-12-31",
        "scope": {"kinds": ["component", "api", "resource", "user", "system", "domain"]},
        "checks": [
            {"type": "annotation-exists", "key": "backstage.io/techdocs-ref"},
            {
                "type": "spec-matches",
                "field": "lifecycle",
                "pattern": "^(production|experimental)$",
            },
            {"type": "relation-exists", "relation": "ownedBy"},
            {
                "type": "file-matches",
                "path": "pyproject.toml",
                "pattern": r'requires-python\s*=\s*">=3\.12"',
            },
            {
                "type": "file-not-matches",
                "path": "Dockerfile",
                "pattern": r"^FROM python:3\.(?:[0-9]|1[01])\b",
            },
        ],
    }
)


def _reset(url: str) -> None:
    if url.startswith("sqlite:///"):
        db = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def _catalog(size: int, repos_with_files: int) -> Path:
    folder = OUT / f"migrations-catalog-{size}"
    marker = folder / ".complete"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    cat = write_catalog(folder, size)
    rng = random.Random(8)
    for name in cat.components[:repos_with_files]:
        version = rng.choice(["3.11", "3.12", "3.12"])
        repo = folder / "repos" / name
        (repo / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\nrequires-python = ">={version}"\n'
        )
        (repo / "Dockerfile").write_text(f"FROM python:{version}-slim\nCOPY . /app\n")
    marker.write_text(json.dumps(cat.counts))
    print(f"  generated {size:,} entities in {time.perf_counter() - started:.1f} s", flush=True)
    return folder


def _groups_catalog(groups: int, components: int) -> Path:
    folder = OUT / f"migrations-groups-{groups}"
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tribes = [f"tribe-{i}" for i in range(40)]
    squads = [f"squad-{i}" for i in range(groups - len(tribes) - 1)]
    docs = [_group("org", "organisation", None, tribes)]
    docs += [_group(t, "tribe", "org", squads[i :: len(tribes)]) for i, t in enumerate(tribes)]
    docs += [_group(s, "squad", tribes[i % len(tribes)], []) for i, s in enumerate(squads)]
    rng = random.Random(9)
    for i in range(components):
        docs.append(
            {
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {
                    "name": f"service-{i}",
                    "annotations": {"backstage.io/techdocs-ref": "dir:."}
                    if rng.random() < 0.6
                    else {},
                },
                "spec": {"type": "service", "lifecycle": "production", "owner": rng.choice(squads)},
            }
        )
    for start in range(0, len(docs), 500):
        (folder / f"part-{start // 500:04d}.yaml").write_text(
            "\n---\n".join(json.dumps(d) for d in docs[start : start + 500])
        )
    (folder / ".complete").write_text("ok")
    return folder


def _group(name: str, type_: str, parent: str | None, children: list[str]) -> dict[str, object]:
    spec: dict[str, object] = {"type": type_, "children": children}
    if parent:
        spec["parent"] = parent
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {"name": name},
        "spec": spec,
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def bench_evaluation(url: str, folder: Path, runs: int, *, reuse: bool) -> dict[str, object]:
    synced = 0.0
    if not reuse:
        _reset(url)
    engine = create_database_engine(url)
    upgrade_schema(engine)
    if not reuse:
        started = time.perf_counter()
        root = folder
        sync_catalog(engine, [LocationSource("synthetic", root / "catalog-info.yaml", root=root)])
        synced = time.perf_counter() - started
    with writer(engine).begin() as conn:
        conn.execute(delete(migration_results))
    custom = CustomChecks({})
    cpu = time.process_time()
    cold = evaluate_migration(engine, MIGRATION, custom=custom)
    cold_cpu = time.process_time() - cpu
    warm, warm_cpu = [], []
    for _ in range(runs):
        cpu = time.process_time()
        warm.append(evaluate_migration(engine, MIGRATION, custom=custom))
        warm_cpu.append(round(time.process_time() - cpu, 2))
    engine.dispose()
    return {
        "sync_s": round(synced, 1),
        "entities": cold.total,
        "done": cold.done,
        "errors": cold.errors,
        "cold_s": cold.seconds,
        "cold_cpu_s": round(cold_cpu, 2),
        "warm_s": [w.seconds for w in warm],
        "warm_cpu_s": warm_cpu,
        "load_average": [round(x, 1) for x in __import__("os").getloadavg()],
    }


def bench_leaderboard(url: str, folder: Path, runs: int) -> dict[str, object]:
    _reset(url)
    engine = create_database_engine(url)
    upgrade_schema(engine)
    sync_catalog(engine, [DirectorySource("groups", folder, include=["*.yaml"])])
    migration = MIGRATION.model_copy(
        update={
            "checks": MIGRATION.checks[:1],
            "scope": MIGRATION.scope.model_copy(update={"kinds": ["component"]}),
        }
    )
    evaluation = evaluate_migration(engine, migration, custom=CustomChecks({}))
    catalog = Catalog(engine)
    result: dict[str, object] = {"evaluate_s": evaluation.seconds, "entities": evaluation.total}
    result["load_average"] = [round(x, 1) for x in __import__("os").getloadavg()]
    for level in ("squad", "tribe"):
        samples, cpu = [], []
        rows = 0
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            board = leaderboard(engine, catalog, migration.id, level=level)
            samples.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            rows = len(board.rows)
        cpu_ms = {f"cpu_{k}": v for k, v in _percentiles(cpu).items()}
        result[level] = {"rows": rows, **_percentiles(samples), **cpu_ms}
        answered = [_answer_seconds(engine, catalog, migration, level) for _ in range(runs)]
        result[f"{level}_slack_answer"] = _percentiles(answered)
    engine.dispose()
    return result


def _answer_seconds(
    engine: Engine, catalog: Catalog, migration: MigrationDefinition, level: str
) -> float:
    """What ``/greenroom migrations <id> --by LEVEL`` computes before sending (no chart)."""
    started = time.perf_counter()
    progress = migration_progress(engine, migration)
    board = leaderboard(engine, catalog, migration.id, level=level)
    today = board.day or progress.history[-1].day
    reply = leaderboard_reply(migration, progress, board, today=today, command="/greenroom")
    message = render_reply(reply, ReplyState(f"migrations {migration.id}"), page_size=20)
    assert len(message["blocks"]) <= 50
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="warm evaluations")
    parser.add_argument("--leaderboard-runs", type=int, default=200)
    parser.add_argument("--postgres", help="also run on this PostgreSQL database (it is wiped)")
    parser.add_argument("--reuse", action="store_true", help="keep the synced SQLite catalog")
    parser.add_argument("--only-postgres", action="store_true")
    parser.add_argument("--skip-leaderboard", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sqlite = (f"sqlite:///{OUT / 'migrations-eval.db'}", f"sqlite:///{OUT / 'migrations-board.db'}")
    urls = {} if args.only_postgres else {"SQLite": sqlite}
    if args.postgres:
        urls["PostgreSQL"] = (args.postgres, args.postgres)
    catalog_dir = _catalog(args.size, args.repos)
    groups_dir = _groups_catalog(2_000, 40_000)
    for name, (url, board_url) in urls.items():
        reuse = args.reuse and name == "SQLite" and (OUT / "migrations-eval.db").exists()
        evaluation = bench_evaluation(url, catalog_dir, args.runs, reuse=reuse)
        print(f"{name} evaluation: {json.dumps(evaluation)}", flush=True)
        if args.skip_leaderboard:
            continue
        board = bench_leaderboard(board_url, groups_dir, args.leaderboard_runs)
        print(f"{name} leaderboard: {json.dumps(board)}", flush=True)


if __name__ == "__main__":
    main()
