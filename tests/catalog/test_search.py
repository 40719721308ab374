"""Search matches in memory exactly what the database's substring match finds, ranks as
before, suggests the names scoring every name would, and sees every sync (on SQLite and
PostgreSQL)."""

from __future__ import annotations

import gc
import random
import weakref
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process
from sqlalchemy import Engine

from catalog import Catalog, search
from catalog.database import create_database_engine, upgrade_schema
from catalog.refs import parse_ref
from catalog.search import _Names, _Texts, search_entities, suggest_refs
from catalog.sources import DirectorySource
from catalog.sync import SyncOptions, sync_catalog

QUERIES = [
    "payments", "pay", "payments refund", "service", "e", "api team", "checkout",
    "fraud-detectr", "%", "_", "a_b", "zzzz", "PAYMENTS", "refund payments",
]  # fmt: skip


def reference(catalog: Catalog, text: str, limit: int, candidates: int) -> list[tuple[str, float]]:
    """The specification: the database's substring match, first ``candidates`` rows in
    (text, ref) order, every row ranked by name then partial ratio, best ``limit``."""
    words = [w for w in text.lower().split() if w]
    rows = sorted((t, str(r)) for r, t in catalog.search_rows(words, limit=1_000_000))
    query = " ".join(words)
    scored = []
    for blob, ref in rows[:candidates]:
        name = ref.partition("/")[2]
        if name == query:
            score = 100.0
        elif name.startswith(query):
            score = 90.0 + 10.0 * len(query) / max(len(name), 1) * 0.9
        elif query in name:
            score = 80.0 + 10.0 * len(query) / max(len(name), 1)
        else:
            score = 40.0 + 0.4 * fuzz.partial_ratio(query, blob)
        scored.append((score, ref))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [(ref, round(score, 1)) for score, ref in scored[:limit]]


def found(catalog: Catalog, text: str, limit: int) -> list[tuple[str, float]]:
    return [(str(h.summary.ref), h.score) for h in search_entities(catalog, text, limit=limit)]


@pytest.mark.parametrize("limit", [1, 3, 20])
def test_search_finds_and_ranks_what_the_database_match_would(
    globex_catalog: Catalog, limit: int
) -> None:
    for query in QUERIES:
        expected = reference(globex_catalog, query, limit, 2000)
        if expected:  # no substring match: the fuzzy fallback answers, tested elsewhere
            assert found(globex_catalog, query, limit) == expected, query


def narrow_from(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Build the texts' signatures and the names' counts from ``size`` entities on."""
    monkeypatch.setattr("catalog.search._NARROWED_FROM", size)
    for cache in (search._texts, search._names):  # built again with the new threshold
        monkeypatch.setattr(cache, "_values", weakref.WeakKeyDictionary())


@pytest.mark.parametrize(("narrowed_from", "most"), [(20_000, 16_000), (0, 0), (0, 16_000)])
def test_words_are_matched_alike_however_the_texts_are_narrowed(
    globex_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, narrowed_from: int, most: int
) -> None:
    """Texts are narrowed by their adjacent-character pairs in a large catalog, unless too
    many remain (then the whole string is walked, as in a small one); all give the
    database's match."""
    narrow_from(monkeypatch, narrowed_from)
    monkeypatch.setattr("catalog.search._MOST_CANDIDATES", most)
    for query in QUERIES:
        expected = reference(globex_catalog, query, 20, 2000)
        if expected:
            assert found(globex_catalog, query, 20) == expected, query


def test_only_the_first_matches_in_text_order_are_ranked(
    globex_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalog.search._CANDIDATES", 3)
    for query in ["e", "a", "service", "payments"]:
        assert found(globex_catalog, query, 20) == reference(globex_catalog, query, 20, 3)


def write_component(folder: Path, name: str, description: str) -> None:
    (folder / name).mkdir(parents=True, exist_ok=True)
    (folder / name / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: {name}, description: '{description}'}}\n"
        "spec: {type: service, lifecycle: production, owner: team-a}\n"
    )


def test_search_sees_every_sync(engine: Engine, tmp_path: Path) -> None:
    source = DirectorySource("repos", tmp_path)
    write_component(tmp_path, "ledger", "Keeps the books")
    sync_catalog(engine, [source], SyncOptions(trigger="test"))
    catalog = Catalog(engine)
    assert [h.summary.ref.name for h in search_entities(catalog, "books")] == ["ledger"]

    write_component(tmp_path, "auditor", "Reads the books twice")
    (tmp_path / "ledger" / "catalog-info.yaml").unlink()
    sync_catalog(engine, [source], SyncOptions(trigger="test", allow_removals=frozenset({"repos"})))

    assert [h.summary.ref.name for h in search_entities(catalog, "books")] == ["auditor"]


def test_a_new_database_never_answers_from_a_gone_ones_texts(tmp_path: Path) -> None:
    """Catalogs at the same generation, one after the other in a process (as tests and
    embedded uses do): each answers from its own texts and names, even when a new engine
    takes a gone one's place (and ``id``) in memory."""
    for number, (name, description) in enumerate(
        [("ledger", "Keeps the books"), ("auditor", "Reads the books twice")] * 2
    ):
        folder = tmp_path / f"repos-{number}"
        write_component(folder, name, description)
        engine = create_database_engine(f"sqlite:///{tmp_path / f'catalog-{number}.db'}")
        upgrade_schema(engine)
        sync_catalog(engine, [DirectorySource("repos", folder)], SyncOptions(trigger="test"))
        catalog = Catalog(engine)

        assert [h.summary.ref.name for h in search_entities(catalog, "books")] == [name]
        assert [r.name for r in suggest_refs(catalog, name[:-1] + "z")] == [name]
        engine.dispose()
        del catalog, engine
        gc.collect()


def test_a_word_holding_the_separator_still_searches(globex_catalog: Catalog) -> None:
    hits = search_entities(globex_catalog, "pay\x00ments")  # PostgreSQL used to refuse it
    assert str(hits[0].summary.ref) == "system:default/payments"  # a fuzzy suggestion
    assert found(globex_catalog, "payments", 5) == reference(globex_catalog, "payments", 5, 2000)
    assert search_entities(globex_catalog, "\x00") == []  # no text holds it, no name is near


def random_texts(count: int, rng: random.Random) -> list[tuple[str, str]]:
    words = ["payments", "checkout", "fraud", "stream", "café", "señal", "mn", "a-b", "x_y"]
    rows = []
    for n in range(count):
        text = " ".join(rng.choice(words) + rng.choice(["", "s", "-api", str(n)]) for _ in "abc")
        rows.append((text[: rng.randint(0, len(text))], f"component:default/c-{n}"))
    return rows


@pytest.mark.parametrize("most", [0, 16_000])
def test_texts_holding_every_word_are_found_in_text_order(
    monkeypatch: pytest.MonkeyPatch, most: int
) -> None:
    """The pair signatures never hide a text holding the words, whatever the characters
    (accents, a separator inside a word, one-character words), and the first ``limit``
    texts in (text, ref) order are the ones returned; walking the string agrees."""
    narrow_from(monkeypatch, 0)
    monkeypatch.setattr("catalog.search._MOST_CANDIDATES", most)
    rng = random.Random(22)
    rows = random_texts(3000, rng)
    texts = _Texts(list(rows))
    ordered = sorted(rows)
    queries = [["payments"], ["paymnts"], ["café", "señal"], ["é"], ["s"], ["mn"], ["\x00"]]
    queries += [["ts\x00pay"], ["fraud", "a-b"], ["zz"], ["-api", "stream"], ["x_y", "1"]]
    for text, _ in rng.sample(rows, 100):
        start = rng.randrange(len(text) + 1)
        queries.append([w for w in text[start : start + rng.randint(1, 12)].split() if w])
    for words in queries:
        if not words:
            continue
        for limit in (1, 20, 2000):
            expected = [(r, t) for t, r in ordered if all(w in t for w in words)][:limit]
            assert texts.matching(words, limit) == expected, (words, limit)


def reference_fuzzy(catalog: Catalog, query: str, limit: int) -> list[str]:
    """The specification of the fuzzy fallback: QRatio over every name picks ``20 * limit``
    (ties by the names' order), WRatio ranks them, best ``limit`` refs."""
    pairs = catalog.names()
    names = [n for n, _ in pairs]
    rough = process.extract(query, names, scorer=fuzz.QRatio, limit=limit * 20, score_cutoff=40)
    chosen = [names[i] for _, _, i in rough]
    ranked = process.extract(query, chosen, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=60)
    seen: dict[str, float] = {}
    for _, score, j in ranked:
        seen.setdefault(str(parse_ref(pairs[rough[j][2]][1])), float(score))
    return [ref for ref, _ in sorted(seen.items(), key=lambda x: (-x[1], x[0]))[:limit]]


@pytest.mark.parametrize("narrowed_from", [0, 20_000])
@pytest.mark.parametrize("limit", [1, 5, 20])
def test_misspellings_get_the_suggestions_scoring_every_name_gives(
    globex_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, limit: int, narrowed_from: int
) -> None:
    narrow_from(monkeypatch, narrowed_from)
    for query in ["fraud-detectr", "paymnts", "chekout", "ap", "pay\x00ments", "zzzz", "é"]:
        expected = reference_fuzzy(globex_catalog, query, limit)
        assert [str(r) for r in suggest_refs(globex_catalog, query, limit=limit)] == expected
        if not any(query in name for name, _ in globex_catalog.names()):
            hits = search_entities(globex_catalog, query, limit=limit)
            assert [str(h.summary.ref) for h in hits] == expected, query


def synthetic_names(count: int, rng: random.Random) -> list[str]:
    words = [
        "payments",
        "checkout",
        "fraud",
        "stream",
        "cache",
        "analytics",
        "report",
        "gateway",
        "inventory",
    ]
    people = ["ada", "grace", "alan", "edsger", "barbara"]
    names = []
    for n in range(count):
        if n % 5 == 0:
            names.append(f"{rng.choice(people)}.{rng.choice(people)}.{n}")
        else:
            names.append(f"{rng.choice(words)}-{rng.choice(words)}-{n}")
    return names


def misspelt(name: str, rng: random.Random) -> str:
    chars = list(name)
    for _ in range(rng.randint(0, 3)):
        at = rng.randrange(len(chars))
        if rng.random() < 0.5:
            del chars[at]
        else:
            chars.insert(at, rng.choice("abcdefghijklmnopqrstuvwxyz-.0123456789"))
    return "".join(chars)


@pytest.mark.parametrize("counted", [64, 6])
def test_fuzzy_candidates_are_the_best_of_every_name(
    counted: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The QRatio candidates, found by bounding each name's score with character counts,
    are exactly (names, scores, order) the best ``limit`` of scoring every name (also when
    only a few characters are counted in each name)."""
    narrow_from(monkeypatch, 0)
    monkeypatch.setattr("catalog.search._COUNTED", counted)
    rng = random.Random(22)
    names = synthetic_names(3000, rng)
    index = _Names([(name, f"component:default/{name}") for name in names])
    queries = ["", "a", "paymnts", "é", "x" * 300, "payments service", "alan.grace"]
    queries += [misspelt(rng.choice(names), rng) for _ in range(150)]
    queries += [rng.choice(names)[: rng.randint(1, 10)] for _ in range(50)]
    for query in queries:
        for limit in (1, 5, 100, 400):
            expected = process.extract(
                query, names, scorer=fuzz.QRatio, limit=limit, score_cutoff=40
            )
            assert index.best_by_qratio(query, limit) == expected, (query, limit)
