"""TechDocs benchmark: full builds, no-change rebuilds, and search latency.

    .venv/bin/python bench/techdocs_bench.py [--examples examples] [--sites 1000] [--queries 300]
        [--search-only]

1. Builds the example company's docs (``examples/greenroom.yaml``) with real mkdocs, or 20
   generated sites when the examples are not there; reports the whole build and per site.
2. Runs the build again with nothing changed (target: <= 5% of the full build).
3. Writes 1,000 synthetic sites' ``search_index.json`` (8 pages x 4 headings each) and times
   ``search_docs`` over them: cold index load, then p50/p95/p99 per query (target p99 <= 50 ms).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog import Catalog, EntityRef
from catalog.database import create_database_engine, upgrade_schema
from catalog.sources.directory import DirectorySource
from catalog.sync import SyncOptions, sync_catalog
from integrations.techdocs import TechDocsSettings, build_all_docs, search_docs
from integrations.techdocs.records import DocsBuild, save_build
from integrations.techdocs.search import load_search_index
from integrations.techdocs.storage import SiteStorage

REPO = Path(__file__).resolve().parent.parent


def generated_repos(folder: Path, count: int) -> None:
    """``count`` small service repos with mkdocs.yml and five pages each."""
    for n in range(count):
        repo = folder / f"svc-{n:02d}"
        (repo / "docs").mkdir(parents=True)
        (repo / "catalog-info.yaml").write_text(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
            f"metadata:\n  name: svc-{n:02d}\n  annotations:\n"
            "    backstage.io/techdocs-ref: dir:.\n"
            "spec: {type: service, lifecycle: production, owner: team-a}\n"
        )
        pages = ["index", "runbook", "architecture", "on-call", "api"]
        nav = "".join(f"  - {p.title()}: {p}.md\n" for p in pages)
        (repo / "mkdocs.yml").write_text(f"site_name: Service {n}\nnav:\n{nav}")
        for page in pages:
            body = "\n\n".join(
                f"## Section {s}\n\nService {n} {page} text about deploys and alerts."
                for s in range(4)
            )
            (repo / "docs" / f"{page}.md").write_text(f"# {page.title()}\n\n{body}\n")


def bench_builds(work: Path, examples: Path | None) -> list[str]:
    engine = create_database_engine(f"sqlite:///{work / 'build.db'}")
    upgrade_schema(engine)
    if examples is not None and (examples / "catalog" / "repos").is_dir():
        from catalog.source_config import LocationSourceConfig, build_source

        source = build_source(
            LocationSourceConfig(name="examples", path=examples / "catalog" / "catalog-info.yaml"),
            base_dir=examples,
            cache_dir=work / "cache",
        )
        label = "the example company"
    else:
        generated_repos(work / "repos", 20)
        source = DirectorySource("generated", work / "repos")
        label = "20 generated sites"
    sync_catalog(engine, [source], SyncOptions(trigger="bench"))
    catalog = Catalog(engine)
    settings = TechDocsSettings(storage_dir=work / "sites", parallel_builds=2)
    full = build_all_docs(catalog, settings)
    built = full.having("built")
    per_site = sorted(o.seconds for o in built)
    nothing = [build_all_docs(catalog, settings).seconds for _ in range(5)]
    ratio = statistics.median(nothing) / full.seconds
    return [
        f"Full build of {label}: {len(built)} sites built, {len(full.having('failed'))} failed, "
        f"{full.seconds:.1f} s wall with 2 builds in parallel (1 run)",
        f"Per site: median {statistics.median(per_site):.2f} s, max {per_site[-1]:.2f} s",
        f"Rebuild with nothing changed: median {statistics.median(nothing) * 1000:.0f} ms "
        f"over 5 runs = {ratio:.1%} of the full build (target <= 5%)",
    ]


WORDS = [
    "deploy", "rollback", "canary", "alert", "latency", "queue", "consumer", "kafka", "refund",
    "payment", "checkout", "timeout", "retry", "database", "migration", "schema", "cache",
    "kubernetes", "pod", "restart", "incident", "postmortem", "oncall", "pager", "dashboard",
    "metrics", "tracing", "logging", "secret", "token", "rotation", "backup", "restore",
    "search", "index", "shard", "replica", "throughput", "limit", "quota", "feature", "flag",
]  # fmt: skip


def synthetic_text(rng: random.Random, vocabulary: list[str], words: int) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(words))


CHECKED = ["deploy", "rollback canary", "kafka consumer lag", "refu", "term12 term13"]


def answers(catalog: Catalog, settings: TechDocsSettings) -> list[tuple[str, str, float]]:
    """The hits of a few fixed queries, to check a loaded index answers like a rebuilt one."""
    return [
        (str(h.entity_ref), h.url, h.score)
        for query in CHECKED
        for h in search_docs(catalog, settings, query, limit=10)
    ]


def cold_load(database: str, storage_dir: str) -> tuple[float, list[tuple[str, str, float]]]:
    """Seconds a fresh process takes to get the index, and its answers (in a child process)."""
    catalog = Catalog(create_database_engine(f"sqlite:///{database}"))
    settings = TechDocsSettings(storage_dir=Path(storage_dir))
    started = time.perf_counter()
    with load_search_index(catalog, settings) as index:
        assert index.sites
    return time.perf_counter() - started, answers(catalog, settings)


def bench_search(work: Path, sites: int, queries: int) -> list[str]:
    rng = random.Random(7)
    vocabulary = WORDS + [f"term{n}" for n in range(20_000)]
    engine = create_database_engine(f"sqlite:///{work / 'search.db'}")
    upgrade_schema(engine)
    settings = TechDocsSettings(storage_dir=work / "search-sites")
    storage = SiteStorage(settings.root)
    now = datetime.now(UTC)
    for n in range(sites):
        ref = EntityRef("component", "default", f"service-{n:04d}")
        site = storage.new_build(ref)
        docs = []
        for p in range(8):
            page = f"page-{p}/"
            sections = [(f"h{s}", synthetic_text(rng, WORDS, 2).title()) for s in range(4)]
            texts = [synthetic_text(rng, vocabulary, 40) for _ in sections]
            docs.append({"location": page, "title": f"Page {p}", "text": " ".join(texts)})
            docs.extend(
                {"location": f"{page}#{a}", "title": h, "text": t}
                for (a, h), t in zip(sections, texts, strict=True)
            )
        (site / "search").mkdir()
        (site / "search" / "search_index.json").write_text(json.dumps({"docs": docs}))
        storage.publish(ref, site)
        save_build(
            engine,
            DocsBuild(ref, "ok", now, site_hash="x", site_name=f"Service {n}", built_at=now),
        )
    catalog = Catalog(engine)
    started = time.perf_counter()
    with load_search_index(catalog, settings) as index:
        sections = index.section_count
    first = time.perf_counter() - started
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(1) as pool:  # a new process, as a restarted web or answer process
        cold, loaded = pool.apply(cold_load, (str(work / "search.db"), str(settings.storage_dir)))
    same = "the same" if loaded == answers(catalog, settings) else "DIFFERENT"
    timings = []
    for q in range(queries):
        words = rng.sample(WORDS, rng.choice([1, 2, 3]))
        if q % 4 == 0:
            words[-1] = words[-1][:4]  # a prefix, as people type
        started = time.perf_counter()
        search_docs(catalog, settings, " ".join(words), limit=10)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    ref = EntityRef("component", "default", "service-0000")
    site = storage.new_build(ref)
    (site / "search").mkdir()
    (site / "search" / "search_index.json").write_text(
        json.dumps({"docs": [{"location": "", "title": "Rebuilt", "text": "fresh words"}]})
    )
    storage.publish(ref, site)
    save_build(engine, DocsBuild(ref, "ok", now, site_hash="y", site_name="S", built_at=now))
    started = time.perf_counter()
    search_docs(catalog, settings, "fresh words")
    refreshed = (time.perf_counter() - started) * 1000

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(p * len(timings)))]

    return [
        f"Search over {sites} synthetic sites ({sections} indexed sections): "
        f"first index load {first:.2f} s (reads every site), "
        f"cold index load in a new process {cold:.2f} s (target <= 1 s; "
        f"its hits for {len(CHECKED)} queries are {same})",
        f"Per query ({queries} queries of 1-3 words, a quarter ending in a prefix): "
        f"p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms "
        "(target p99 <= 50 ms)",
        f"First query after one site was rebuilt (re-reads only that site): {refreshed:.1f} ms",
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=Path, default=REPO / "examples")
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--search-only", action="store_true", help="skip the builds: only part 3 (search)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="techdocs-bench-") as tmp:
        work = Path(tmp)
        lines = [] if args.search_only else bench_builds(work, args.examples)
        lines += bench_search(work, args.sites, args.queries)
    for line in lines:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
