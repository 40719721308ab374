"""What checks look at: the entity, its relations (loaded once for all entities), whether a ref
exists, and the entity's files on disk through a ``RepositoryResolver`` seam."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, select

from catalog.refs import EntityRef, parse_ref
from catalog.relations import INVERSE
from catalog.store import StoredEntity
from catalog.tables import entities, relations
from catalog.tech_migrations.outcome import CheckOutcome, CheckSubject

__all__ = [
    "CatalogIndex",
    "EntityFacts",
    "FileLimits",
    "LocalFolders",
    "RepositoryResolver",
]

CustomFunction = Callable[[CheckSubject], "CheckOutcome | bool"]


class RepositoryResolver(Protocol):
    """Finds the folder holding an entity's files, or None when they are not on this machine."""

    def folder_of(self, entity: StoredEntity) -> Path | None: ...


class LocalFolders:
    """The folder of the entity's catalog file, else its repository root, if on this disk.

    Many entities share a folder (one YAML file, many entities): each folder is looked at once
    per instance, so use a new instance per evaluation.
    """

    def __init__(self) -> None:
        self._seen: dict[str, Path | None] = {}

    def folder_of(self, entity: StoredEntity) -> Path | None:
        for candidate in (entity.entity_dir, entity.repo_dir):
            if not candidate:
                continue
            if candidate not in self._seen:
                folder = Path(candidate)
                self._seen[candidate] = folder if folder.is_dir() else None
            found = self._seen[candidate]
            if found is not None:
                return found
        return None


@dataclass(frozen=True, slots=True)
class FileLimits:
    """How much of a repository a check may read: bytes per file, files per glob, regex time."""

    max_bytes: int = 1024 * 1024
    max_files: int = 200
    regex_timeout: float = 1.0


@dataclass
class CatalogIndex:
    """Relations (as seen from each entity) and existing refs, loaded in bulk once."""

    related: dict[str, dict[str, list[EntityRef]]] = field(default_factory=dict)
    existing: frozenset[str] = frozenset()

    @classmethod
    def load(cls, conn: Connection, relation_types: Collection[str]) -> CatalogIndex:
        related: dict[str, dict[str, list[EntityRef]]] = defaultdict(lambda: defaultdict(list))
        for type_ in sorted(set(relation_types)):
            inverse = INVERSE.get(type_)
            for stored_type, near, far in (
                (type_, "subject", "object"),
                (inverse, "object", "subject"),
            ):
                if stored_type is None:
                    continue
                query = select(relations.c[near], relations.c[far]).where(
                    relations.c.type == stored_type
                )
                for ref, target in conn.execute(query):
                    related[ref][type_].append(parse_ref(target))
        existing = frozenset(conn.execute(select(entities.c.ref)).scalars())
        return cls(related=related, existing=existing)

    def targets(self, ref: EntityRef, relation: str) -> list[EntityRef]:
        """The far ends of ``relation`` from ``ref`` (sorted, deduplicated)."""
        found = self.related.get(str(ref), {}).get(relation, [])
        return sorted(set(found))

    def exists(self, ref: EntityRef) -> bool:
        return str(ref) in self.existing


class EntityFacts:
    """One entity as the checks see it; its folder is looked up only if a check asks."""

    __slots__ = ("_folder", "_resolved", "custom", "index", "limits", "repositories", "stored")

    def __init__(
        self,
        stored: StoredEntity,
        *,
        index: CatalogIndex,
        repositories: RepositoryResolver,
        limits: FileLimits,
        custom: Callable[[str], CustomFunction],
    ) -> None:
        self.stored = stored
        self.index = index
        self.repositories = repositories
        self.limits = limits
        self.custom = custom
        self._folder: Path | None = None
        self._resolved = False

    def folder(self) -> Path | None:
        """The entity's folder on disk, or None (API-synced, or not checked out here)."""
        if not self._resolved:
            self._folder = self.repositories.folder_of(self.stored)
            self._resolved = True
        return self._folder
