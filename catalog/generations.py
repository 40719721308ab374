"""What a process keeps in memory per catalog, rebuilt when the catalog changes: read once per
catalog generation (the number each sync that changes something bumps), shared by threads."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Collection, Hashable, Mapping
from typing import Any, Generic, TypeVar

from catalog.store import Catalog

__all__ = ["PerGeneration", "PerGenerationAnswers", "PerGenerationLookup", "build_every_cache"]

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

_EVERY: weakref.WeakSet[PerGeneration[Any]] = weakref.WeakSet()


class PerGeneration(Generic[T]):
    """``build(catalog, generation)`` once per catalog and generation. Catalogs are held
    weakly: a gone catalog's value goes with it, and a new one never finds it."""

    def __init__(self, build: Callable[[Catalog, int], T]) -> None:
        self._build = build
        self._values: weakref.WeakKeyDictionary[Catalog, tuple[int, T]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()
        _EVERY.add(self)

    def __call__(self, catalog: Catalog) -> T:
        """The value for ``catalog`` as it is now."""
        generation = catalog.generation()
        cached = self._values.get(catalog)
        if cached is not None and cached[0] == generation:
            return cached[1]
        with self._lock:
            cached = self._values.get(catalog)
            if cached is None or cached[0] != generation:
                # The generation is read before the value: a sync meanwhile only means a reload.
                cached = (generation, self._build(catalog, generation))
                self._values[catalog] = cached
        return cached[1]


class PerGenerationAnswers(Generic[K, T]):
    """``compute(catalog, key)`` once per key and catalog generation, for answers asked again
    and again (a team's page and its owner's). What is kept per catalog weighs at most
    ``size`` (``weight`` of each value: 1, or e.g. the entities a list holds), the oldest
    dropped first; a value heavier than that is not kept. Values are shared: they must not
    be changed by those who get them."""

    def __init__(
        self,
        compute: Callable[[Catalog, K], T],
        *,
        size: int,
        weight: Callable[[T], int] = lambda _value: 1,
    ) -> None:
        self._compute = compute
        self._size = size
        self._weight = weight
        self._tables: PerGeneration[_Weighed[K, T]] = PerGeneration(lambda _c, _g: _Weighed())
        self._lock = threading.Lock()

    def __call__(self, catalog: Catalog, key: K) -> T:
        """The answer for ``key`` in ``catalog`` as it is now."""
        # Read before computing: a sync meanwhile only files a newer answer under the older
        # generation, which later calls (seeing the new generation) never look at.
        table = self._tables(catalog)
        try:
            return table.values[key][0]
        except KeyError:
            pass
        value = self._compute(catalog, key)
        weight = self._weight(value)
        if weight > self._size:
            return value
        with self._lock:
            if key not in table.values:
                while table.values and table.weight + weight > self._size:
                    table.weight -= table.values.pop(next(iter(table.values)))[1]
                table.values[key] = (value, weight)
                table.weight += weight
        return value


class _Weighed(Generic[K, T]):
    def __init__(self) -> None:
        self.values: dict[K, tuple[T, int]] = {}
        self.weight = 0


_ABSENT, _UNREAD = object(), object()


class PerGenerationLookup(Generic[K, T]):
    """``read(catalog, keys)`` of each key once per catalog generation, many keys at a time
    (the summaries and channels of the hundreds of teams a blast radius names): only keys
    not read yet in this generation are read; those ``read`` leaves out are remembered as
    absent. At most ``size`` keys are kept per catalog (then it starts afresh)."""

    def __init__(self, read: Callable[[Catalog, list[K]], Mapping[K, T]], *, size: int) -> None:
        self._read = read
        self._size = size
        self._tables: PerGeneration[dict[K, object]] = PerGeneration(lambda _c, _g: {})
        self._lock = threading.Lock()

    def __call__(self, catalog: Catalog, keys: Collection[K]) -> dict[K, T]:
        """What ``read`` gives for those of ``keys`` it gives something for."""
        table = self._tables(catalog)  # before reading: see PerGenerationAnswers
        values = {k: table.get(k, _UNREAD) for k in dict.fromkeys(keys)}
        missing = [k for k, v in values.items() if v is _UNREAD]
        if missing:
            found = self._read(catalog, missing)
            for key in missing:
                values[key] = found.get(key, _ABSENT)
            with self._lock:
                if len(table) + len(missing) > self._size:
                    table.clear()
                table.update((k, values[k]) for k in missing)
        return {k: v for k, v in values.items() if v is not _ABSENT}  # type: ignore[misc]


def build_every_cache(catalog: Catalog) -> None:
    """Build every per-generation value of ``catalog`` now (those of the modules imported so
    far): a process that forks others builds them once, and its children share them."""
    for cache in list(_EVERY):
        cache(catalog)
