"""Catalog benchmark: sync speed against the YAML parse floor, no-change re-sync, peak memory,
query latency (owner lookup, search, depth-3 dependents), and what the removal guard costs, on
synthetic catalogs.

    .venv/bin/python bench/catalog_bench.py                 # 1k, 10k and 100k on SQLite
    .venv/bin/python bench/catalog_bench.py --sizes 10000 --postgres postgresql://postgres@127.0.0.1/test

Each measured step runs in its own child process, so peak RSS is that step's alone.
Targets (issue 2): 100k full sync <= 3x the parse floor on SQLite; no-change re-sync <= 0.25x a
full sync; owner lookup p99 <= 10 ms; depth-3 dependents p99 <= 50 ms; peak RSS <= 1 GB.
Target (issue 15): the removal guard and the review of removed sources cost nothing
measurable: a re-sync that removes 1% of the catalog takes as long with them as without
(the best of ``--repeat`` runs each, from copies of the same database); a sync held at 50%
is no slower than one that applies.
Target (issue 22): search p99 <= 15 ms at 100k; the search check (``--step search-check``)
confirms on random queries that the narrowed fuzzy candidates and matches equal a full scan.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))


def _catalog_dir(size: int) -> Path:
    from bench.synthetic import cached_catalog

    return cached_catalog(size, OUT)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_floor(folder: str) -> dict[str, float]:
    import yaml

    files = sorted(Path(folder).rglob("*.yaml"))
    started = time.perf_counter()
    docs = 0
    for path in files:
        docs += sum(1 for _ in yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "documents": docs,
        "rss_mb": _rss_mb(),
        "cpu_s": _cpu_seconds(resource.RUSAGE_SELF),
    }


def step_sync(folder: str, url: str) -> dict[str, float]:
    import catalog.tables  # noqa: F401
    from catalog.database import create_database_engine, upgrade_schema
    from catalog.sources import LocationSource
    from catalog.sync import sync_catalog

    engine = create_database_engine(url)
    upgrade_schema(engine)
    root = Path(folder)
    started = time.perf_counter()
    report = sync_catalog(engine, [LocationSource("bench", root / "catalog-info.yaml", root=root)])
    seconds = time.perf_counter() - started
    source = report.sources[0]
    return {
        "seconds": seconds,
        "added": len(source.added),
        "unchanged": source.unchanged,
        "errors": len(source.errors),
        "rss_mb": _rss_mb(),
        # the parsing workers (issue 22): the largest one's peak, and CPU seconds of all
        "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "cpu_s": _cpu_seconds(resource.RUSAGE_SELF),
        "workers_cpu_s": _cpu_seconds(resource.RUSAGE_CHILDREN),
    }


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class _Thinned:
    """The bench source minus every ``every``-th file (their entities are removed)."""

    def __init__(self, inner: object, every: int) -> None:
        self.inner = inner
        self.name = "bench"
        self.every = every

    def scan(self, reader: object) -> object:
        for i, scanned in enumerate(self.inner.scan(reader)):  # type: ignore[attr-defined]
            if i % self.every != self.every - 1:
                yield scanned


def step_guard(folder: str, url: str, mode: str, every: str) -> dict[str, float]:
    """A re-sync without every ``every``-th file: ``on`` with the guard and the review of
    removed sources (as the worker runs), ``off`` with neither (as before issue 15)."""
    import catalog.tables  # noqa: F401
    from catalog.database import create_database_engine
    from catalog.removal_guard import RemovalGuard
    from catalog.sources import LocationSource
    from catalog.sync import SyncOptions, sync_catalog

    engine = create_database_engine(url)
    root = Path(folder)
    source = _Thinned(LocationSource("bench", root / "catalog-info.yaml", root=root), int(every))
    if mode == "on":
        options = SyncOptions(trigger="bench", configured=frozenset({"bench"}))
    else:
        options = SyncOptions(trigger="bench", guard=RemovalGuard(share=1))
    started = time.perf_counter()
    report = sync_catalog(engine, [source], options)  # type: ignore[list-item]
    seconds = time.perf_counter() - started
    result = report.sources[0]
    removing = result.hold.removing if result.hold and result.status == "held" else 0
    return {
        "seconds": seconds,
        "removed": len(result.removed),
        "held": removing,
        "status": result.status,  # type: ignore[dict-item]
    }


def _guard_costs(folder: Path, db: Path, repeat: int) -> dict[str, object]:
    """Best-of-``repeat`` re-syncs removing 1% with and without the guard, and one held at 50%."""
    import shutil

    def fresh_copy(name: str) -> str:
        copy = db.with_name(f"{db.stem}-{name}.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copy(db, copy)
        return f"sqlite:///{copy}"

    runs: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
    for _ in range(repeat):
        for mode in ("off", "on"):
            runs[mode].append(_child("guard", str(folder), fresh_copy(mode), mode, "100"))
    best = {mode: min(r["seconds"] for r in rs) for mode, rs in runs.items()}
    held = _child("guard", str(folder), fresh_copy("held"), "on", "2")
    applied = _child("guard", str(folder), fresh_copy("applied"), "off", "2")
    return {
        "removed_1pct": runs["on"][0]["removed"],
        "guard_on_s": best["on"],
        "guard_off_s": best["off"],
        "held_50pct_s": held["seconds"],
        "held_status": held["status"],
        "held_removing": held["held"],
        "applied_50pct_s": applied["seconds"],
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def step_queries(folder: str, url: str) -> dict[str, dict[str, float]]:
    from catalog import Catalog
    from catalog.database import create_database_engine
    from catalog.graph import dependencies, needs_edges
    from catalog.lookup import find_entity
    from catalog.ownership import owner_of
    from catalog.search import search_entities

    cat = Catalog(create_database_engine(url))
    rng = random.Random(1)
    names = [p.name for p in (Path(folder) / "repos").iterdir() if p.is_dir()]
    owner_samples = []
    for name in rng.sample(names, min(1000, len(names))):
        started = time.perf_counter()
        owner_of(cat, find_entity(cat, name))
        owner_samples.append(time.perf_counter() - started)
    words = [
        "payments",
        "checkout service",
        "fraud",
        "stream",
        "cache",
        "analytics report",
        "gateway",
        "paymnts",
        "inventory",
    ]
    started = time.perf_counter()  # the first search in a process loads the texts and names
    search_entities(cat, "warm-up-no-such-word", limit=20)
    search_first = time.perf_counter() - started
    search_samples = []
    for i in range(200):
        started = time.perf_counter()
        search_entities(cat, words[i % len(words)], limit=20)
        search_samples.append(time.perf_counter() - started)
    resources = [e.ref for e in cat.entities(kinds=["resource"])]
    started = time.perf_counter()
    needs_edges(cat)  # the first walk in a process loads the "needs" edges; timed on its own
    edges_load = time.perf_counter() - started
    dep_samples = []
    sizes = []
    for ref in rng.sample(resources, min(500, len(resources))):
        started = time.perf_counter()
        nodes = dependencies(cat, ref, reverse=True, depth=3)
        dep_samples.append(time.perf_counter() - started)
        sizes.append(len(nodes))
    return {
        "owner": _percentiles(owner_samples),
        "search": _percentiles(search_samples),
        "dependents_depth3": _percentiles(dep_samples) | {"mean_nodes": statistics.mean(sizes)},
        "needs_edges_load": {"seconds": edges_load},
        "search_first": {"seconds": search_first},
        "rss_mb": {"value": _rss_mb()},
    }


def step_search_check(folder: str, url: str, count: str = "400") -> dict[str, object]:
    """Issue 22: the narrowed search gives what scanning everything gives, on ``count`` random
    queries (misspelt names, parts of texts, several words): the fuzzy candidates against
    QRatio over every name, the matches against walking the whole string."""
    from rapidfuzz import fuzz, process

    import catalog.search
    from catalog import Catalog
    from catalog.database import create_database_engine
    from catalog.search import _names, _texts

    catalog.search._NARROWED_FROM = 0  # narrowed at every size, to be checked at every size
    cat = Catalog(create_database_engine(url))
    names, texts = _names(cat), _texts(cat)
    every = texts.blob.split("\x00")
    rng = random.Random(22)

    def misspelt(word: str) -> str:
        chars = list(word)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(chars) + 1)
            if chars and rng.random() < 0.5:
                del chars[min(at, len(chars) - 1)]
            else:
                chars.insert(at, rng.choice("abcdefghijklmnopqrstuvwxyz-.0123456789"))
        return "".join(chars)

    def piece() -> str:
        text = rng.choice(every)
        start = rng.randrange(len(text) + 1)
        return text[start : start + rng.randint(1, 12)]

    fuzzy_same = matches_same = 0
    started = time.perf_counter()
    for n in range(int(count)):
        query = misspelt(rng.choice(names.names))
        limit = rng.choice([100, 400])
        full = process.extract(query, names.names, scorer=fuzz.QRatio, limit=limit, score_cutoff=40)
        fuzzy_same += names.best_by_qratio(query, limit) == full
        words = (piece() + (" " + piece() if n % 2 else "")).split() or ["x"]
        matches_same += texts.matching(words, 2000) == texts._walk(words, 2000)
    return {
        "queries": int(count),
        "fuzzy_same": fuzzy_same,
        "matches_same": matches_same,
        "seconds": time.perf_counter() - started,
    }


def _child(*args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, __file__, "--step", *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--postgres", help="also sync into this PostgreSQL database")
    parser.add_argument("--repeat", type=int, default=3, help="runs per removal-guard timing")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        name, *rest = args.step
        print(
            json.dumps(
                {
                    "floor": step_floor,
                    "sync": step_sync,
                    "queries": step_queries,
                    "guard": step_guard,
                    "search-check": step_search_check,
                }[name](*rest)
            )
        )
        return

    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        print(f"{size:,} entities", flush=True)
        folder = _catalog_dir(size)
        db = OUT / f"bench-{size}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
        floor = _child("floor", str(folder))
        full = _child("sync", str(folder), url)
        again = _child("sync", str(folder), url)
        row = {
            "size": size,
            "floor": floor,
            "full": full,
            "again": again,
            "ratio": full["seconds"] / floor["seconds"],
            "resync_ratio": again["seconds"] / full["seconds"],
        }
        if args.postgres:
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            pg_url = args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)
            row["pg_full"] = _child("sync", str(folder), pg_url)
            row["pg_again"] = _child("sync", str(folder), pg_url)
        row["guard"] = _guard_costs(folder, db, args.repeat)
        row["search_check"] = _child("search-check", str(folder), url)
        if size == max(args.sizes):
            row["queries"] = _child("queries", str(folder), url)
        rows.append(row)
        print(json.dumps(row, indent=1), flush=True)

    columns = "entities|parse floor|full sync|entities/s|sync/floor|re-sync|re-sync/full|peak RSS"
    print("\n| " + columns.replace("|", " | ") + " |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        f, s, a = r["floor"], r["full"], r["again"]
        print(
            f"| {r['size']:,} | {f['seconds']:.2f} s | {s['seconds']:.2f} s | "
            f"{s['added'] / s['seconds']:,.0f} | {r['ratio']:.2f}x | {a['seconds']:.2f} s | "
            f"{r['resync_ratio']:.3f}x | {max(s['rss_mb'], a['rss_mb']):.0f} MB |"
        )
    print("\n| entities | removed (1% of files) | guard on | guard off | held at 50% | applied |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        g = r["guard"]
        print(
            f"| {r['size']:,} | {g['removed_1pct']:,} | {g['guard_on_s']:.2f} s | "
            f"{g['guard_off_s']:.2f} s | {g['held_50pct_s']:.2f} s ({g['held_status']}, "
            f"{g['held_removing']:,}) | {g['applied_50pct_s']:.2f} s |"
        )
    for r in rows:
        c = r["search_check"]
        print(
            f"search check {r['size']:,}: fuzzy candidates {c['fuzzy_same']}/{c['queries']}, "
            f"matches {c['matches_same']}/{c['queries']} the same as scanning everything"
        )
    for r in rows:
        if "pg_full" in r:
            print(
                f"PostgreSQL {r['size']:,}: full {r['pg_full']['seconds']:.2f} s, "
                f"re-sync {r['pg_again']['seconds']:.2f} s"
            )
        if "queries" in r:
            q = r["queries"]
            print(f"\nQueries at {r['size']:,} entities (SQLite):")
            for key in ("owner", "search", "dependents_depth3"):
                print(f"| {key} | p50 {q[key]['p50_ms']:.2f} ms | p99 {q[key]['p99_ms']:.2f} ms |")
            print(
                "First walk in a process (loads the needs edges): "
                f"{q['needs_edges_load']['seconds']:.2f} s; first search in a process "
                f"(loads the texts and names): {q['search_first']['seconds']:.2f} s; "
                f"peak RSS of the query process {q['rss_mb']['value']:.0f} MB"
            )


if __name__ == "__main__":
    main()
