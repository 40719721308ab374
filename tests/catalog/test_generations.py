"""What a process keeps per catalog generation: answers by key, and lookups of many keys."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from catalog import Catalog
from catalog.generations import PerGenerationAnswers, PerGenerationLookup
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog


def _sync(engine: Engine, folder: Path, name: str) -> None:
    (folder / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: {name}}}\nspec: {{type: service, lifecycle: production, owner: t}}\n"
    )
    sync_catalog(engine, [DirectorySource("s", folder)])


def test_answers_are_kept_by_weight_until_the_catalog_changes(
    catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    _sync(engine, tmp_path, "api")
    computed: list[int] = []

    def compute(_catalog: Catalog, key: int) -> str:
        computed.append(key)
        return "x" * key

    answers = PerGenerationAnswers(compute, size=5, weight=len)
    for key in (2, 2, 3, 2, 3):
        assert answers(catalog, key) == "x" * key
    assert computed == [2, 3]
    answers(catalog, 4)  # 2 + 3 + 4 weighs more than 5: the oldest go
    answers(catalog, 4)
    answers(catalog, 3)
    assert computed == [2, 3, 4, 3]
    answers(catalog, 6)  # heavier than all that is kept: never kept
    answers(catalog, 6)
    assert computed == [2, 3, 4, 3, 6, 6]
    _sync(engine, tmp_path, "api-renamed")
    answers(catalog, 3)
    assert computed == [2, 3, 4, 3, 6, 6, 3]


def test_lookups_read_only_what_this_generation_has_not_read(
    catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    _sync(engine, tmp_path, "api")
    asked: list[list[str]] = []

    def read(_catalog: Catalog, keys: list[str]) -> dict[str, str]:
        asked.append(keys)
        return {k: k.upper() for k in keys if k != "none"}

    lookup = PerGenerationLookup(read, size=100)
    assert lookup(catalog, ["a", "none", "b"]) == {"a": "A", "b": "B"}
    assert lookup(catalog, ["b", "c", "none", "a"]) == {"b": "B", "c": "C", "a": "A"}
    assert asked == [["a", "none", "b"], ["c"]]
    _sync(engine, tmp_path, "api-renamed")
    assert lookup(catalog, ["a"]) == {"a": "A"}
    assert asked[-1] == ["a"]
