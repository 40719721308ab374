"""The saved docs search index: a new process answers as if it had re-read every site, and a
damaged, tampered or out-of-date file is never trusted."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from catalog import parse_ref
from integrations.techdocs import TechDocsSettings, build_all_docs, search_docs
from integrations.techdocs.search_index import SearchIndex
from integrations.techdocs.search_store import SavedSite, load_saved_index, save_index
from integrations.techdocs.site_index import SiteIndex

from .docs_world import (
    PAYMENTS_DOCS,
    World,
    docs_settings,
    make_repo,
    sqlite_engine,
    sync_folder,
    write_files,
)

QUERIES = ["payments", "restart pods", "dead letter queue", "refu", "checkout card", "zzz"]
WORDS = [
    "deploy",
    "rollback",
    "canary",
    "alert",
    "latency",
    "queue",
    "kafka",
    "refund",
    "payment",
    "retry",
    "cache",
]


def synthetic_site(rng: random.Random, pages: int) -> dict[str, Any]:
    docs = []
    for p in range(pages):
        texts = [" ".join(rng.choices(WORDS + [f"w{n}" for n in range(50)], k=12)) for _ in "ab"]
        docs.append({"location": f"p{p}/", "title": f"Page {p}", "text": " ".join(texts)})
        docs += [
            {"location": f"p{p}/#{a}", "title": rng.choice(WORDS).title(), "text": t}
            for a, t in zip("ab", texts, strict=True)
        ]
    docs.append({"location": "plain/", "title": "Plain page", "text": "No headings, just text."})
    return {"docs": docs}


def answers(index: SearchIndex, queries: list[str], **options: Any) -> list[Any]:
    return [
        [(h.site, h.section, h.score, h.snippet) for h in index.search(q, **options)]
        for q in queries
    ]


def saved_sites(index: SearchIndex) -> dict[Any, SavedSite]:
    return {
        parse_ref(f"component:site-{slot}"): SavedSite(slot, f"build-{slot}")
        for slot in index.sites
    }


def test_a_loaded_index_answers_exactly_like_the_one_it_was_saved_from(tmp_path: Path) -> None:
    rng = random.Random(3)
    index = SearchIndex()
    for n in range(12):
        key = (parse_ref(f"component:site-{n}"), f"S{n}")
        index.add(SiteIndex.from_json(key, synthetic_site(rng, 5)))
    index.remove(4)  # slots need not be contiguous
    sites = saved_sites(index)
    sites[parse_ref("component:unreadable")] = SavedSite(None, "build-x")
    save_index(tmp_path / "index.npz", index, sites)

    loaded = load_saved_index(tmp_path / "index.npz")

    assert loaded is not None
    restored, restored_sites = loaded
    assert restored_sites == sites
    queries = [*WORDS, "deploy canary", "kafka queue retry", "ref", "w1 w2", "page plain"]
    assert answers(restored, queries) == answers(index, queries)
    assert answers(restored, queries, sites={1, 5, 7}) == answers(index, queries, sites={1, 5, 7})
    # and it keeps changing like the original: a site replaced, another one added
    for target in (index, restored):
        target.remove(2)
        target.add(SiteIndex.from_json("new", synthetic_site(random.Random(9), 3)))
    assert answers(restored, queries) == answers(index, queries)


def copied_settings(settings: TechDocsSettings, root: Path) -> TechDocsSettings:
    """The same sites under another root: what a new process sees (nothing cached for it)."""
    shutil.copytree(settings.root, root, symlinks=True)
    return settings.model_copy(update={"storage_dir": root})


def hits(world: World, settings: TechDocsSettings) -> list[Any]:
    return [search_docs(world.catalog, settings, q) for q in QUERIES]


def test_a_new_process_loads_the_saved_index_without_reading_the_sites(
    world: World, tmp_path: Path
) -> None:
    expected = hits(world, world.settings)  # builds and saves the index if nothing had yet
    assert (world.settings.root / ".search" / "index.npz").is_file()
    settings = copied_settings(world.settings, tmp_path / "sites")
    for index_file in (tmp_path / "sites" / ".builds").rglob("search_index.json"):
        index_file.unlink()  # only the saved index can answer now

    assert hits(world, settings) == expected
    assert expected[0] and expected[1]


def corrupt_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def foreign_file(path: Path) -> None:
    np.savez(path, keys=np.arange(10), words=np.zeros(3))


def not_a_zip(path: Path) -> None:
    path.write_text("these are not the arrays you are looking for")


def out_of_range(path: Path) -> None:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["ids"] = arrays["ids"] + 1_000_000  # sections that do not exist
    np.savez(path, **arrays)


def unsorted_postings(path: Path) -> None:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["order"] = arrays["order"][::-1].copy()
    np.savez(path, **arrays)


@pytest.mark.parametrize(
    "damage", [corrupt_bytes, truncate, foreign_file, not_a_zip, out_of_range, unsorted_postings]
)
def test_a_damaged_or_foreign_saved_index_is_ignored_and_rebuilt(
    world: World, tmp_path: Path, damage: Any
) -> None:
    expected = hits(world, world.settings)
    settings = copied_settings(world.settings, tmp_path / "sites")
    saved = settings.root / ".search" / "index.npz"
    damage(saved)
    assert load_saved_index(saved) is None

    assert hits(world, settings) == expected
    assert load_saved_index(saved) is not None  # rewritten from the sites


def test_sites_built_after_the_index_was_saved_are_read_again(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repos", "payments-api", PAYMENTS_DOCS, owner="team-pay")
    catalog = sync_folder(sqlite_engine(tmp_path / "db.sqlite"), tmp_path / "repos")
    settings = docs_settings(tmp_path / "sites")
    build_all_docs(catalog, settings)
    assert search_docs(catalog, settings, "chargeback") == []  # saves the index
    write_files(repo, {"docs/runbook.md": "# Runbook\n\n## Chargebacks\n\nA chargeback arrives.\n"})
    build_all_docs(catalog, settings)  # nobody searches here: the saved index is now stale

    fresh = copied_settings(settings, tmp_path / "later")
    (hit,) = search_docs(catalog, fresh, "chargeback")

    assert hit.heading == "Chargebacks"
    assert search_docs(catalog, fresh, "dead letter queue") == []  # the old runbook is gone
    assert search_docs(catalog, fresh, "refunds")  # the unchanged pages came from the file
