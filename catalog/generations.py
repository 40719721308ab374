"""What a process keeps in memory per catalog, rebuilt when the catalog changes: read once per
catalog generation (the number each sync that changes something bumps), shared by threads."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from catalog.store import Catalog

__all__ = ["PerGeneration", "build_every_cache"]

T = TypeVar("T")

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


def build_every_cache(catalog: Catalog) -> None:
    """Build every per-generation value of ``catalog`` now (those of the modules imported so
    far): a process that forks others builds them once, and its children share them."""
    for cache in list(_EVERY):
        cache(catalog)
