"""How a sync treats its sources: YAML limits, the kinds each may define (catalog rules), the
removal guard, removals an operator allowed, and sources that left the configuration. Built
from the settings at the edge (CLI, worker)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from catalog.removal_guard import RemovalGuard
from catalog.rules import CatalogRules
from catalog.yaml_reader import YamlLimits

__all__ = ["SyncOptions"]


@dataclass(frozen=True)
class SyncOptions:
    """Everything a sync needs besides the sources themselves.

    ``configured`` names every configured source (not only the ones this run syncs); with it,
    the sync also reviews sources that left the configuration. Ad-hoc runs (``--source``)
    leave it None: they cannot tell a removed source from one that is merely not given.
    ``allow_removals`` are sources whose removals an operator allowed for this run,
    whatever the guard says; ``allowed_by`` is who (recorded on the hold it ends).
    ``rules`` say which kinds each source may define (greenroom's processes pass the
    operator's); None lets every source define every kind, for catalogs the caller wrote.
    ``parse_workers``: processes that parse a source with many files (None: one per CPU;
    0 or 1: the calling process alone).
    """

    trigger: str = "cli"
    limits: YamlLimits = field(default_factory=YamlLimits)
    guard: RemovalGuard = field(default_factory=RemovalGuard)
    source_guards: Mapping[str, RemovalGuard] = field(default_factory=dict)
    configured: frozenset[str] | None = None
    removed_source_grace: timedelta = timedelta(days=7)
    allow_removals: frozenset[str] = frozenset()
    allowed_by: str = "cli"
    rules: CatalogRules | None = None
    parse_workers: int | None = None

    def guard_of(self, source: str) -> RemovalGuard:
        """The guard for ``source`` (its own, else the catalog's)."""
        return self.source_guards.get(source, self.guard)
