"""What checks look at: the entity, its relations (loaded once for all entities), whether a ref
exists, and the entity's files on disk through a ``RepositoryResolver`` seam."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, select

from catalog.refs import EntityRef
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
    "stored_ref",
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
        self._seen: dict[str, bool] = {}

    def directory_of(self, entity: StoredEntity) -> str | None:
        """Like ``folder_of``, as a string (the evaluation's hot path avoids Path objects)."""
        for candidate in (entity.entity_dir, entity.repo_dir):
            if not candidate:
                continue
            found = self._seen.get(candidate)
            if found is None:
                try:
                    found = stat.S_ISDIR(os.stat(candidate).st_mode)  # noqa: PTH116 - hot path
                except OSError:
                    found = False
                self._seen[candidate] = found
            if found:
                return candidate
        return None

    def folder_of(self, entity: StoredEntity) -> Path | None:
        directory = self.directory_of(entity)
        return Path(directory) if directory is not None else None


def stored_ref(text: str) -> EntityRef:
    """A ref from its stored, canonical form (``kind:namespace/name``, lowercased), cheaply."""
    kind, _, rest = text.partition(":")
    namespace, _, name = rest.partition("/")
    return EntityRef(kind, namespace, name)


@dataclass(frozen=True, slots=True)
class FileLimits:
    """How much of a repository a check may read: bytes per file, files per glob, regex time."""

    max_bytes: int = 1024 * 1024
    max_files: int = 200
    regex_timeout: float = 1.0


@dataclass
class CatalogIndex:
    """Relations (as seen from each entity) and existing refs, loaded in bulk once."""

    related: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    existing: frozenset[str] = frozenset()

    @classmethod
    def load(cls, conn: Connection, relation_types: Collection[str]) -> CatalogIndex:
        related: dict[str, dict[str, list[str]]] = {}
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
                    by_type = related.get(ref)
                    if by_type is None:
                        by_type = related[ref] = {}
                    by_type.setdefault(type_, []).append(target)
        existing = frozenset(conn.execute(select(entities.c.ref)).scalars())
        return cls(related=related, existing=existing)

    def targets(self, ref: EntityRef, relation: str) -> list[EntityRef]:
        """The far ends of ``relation`` from ``ref`` (sorted, deduplicated)."""
        by_type = self.related.get(str(ref))
        found = by_type.get(relation) if by_type else None
        if not found:
            return []
        return [stored_ref(t) for t in (found if len(found) < 2 else sorted(set(found)))]

    def exists(self, ref: EntityRef) -> bool:
        return str(ref) in self.existing


class EntityFacts:
    """One entity as the checks see it; its folder is looked up only if a check asks."""

    __slots__ = (
        "_directory",
        "_resolved",
        "custom",
        "index",
        "limits",
        "memo",
        "repositories",
        "stored",
    )

    def __init__(
        self,
        stored: StoredEntity,
        *,
        index: CatalogIndex,
        repositories: RepositoryResolver,
        limits: FileLimits,
        custom: Callable[[str], CustomFunction],
        memo: dict[tuple[int, str], CheckOutcome] | None = None,
    ) -> None:
        self.stored = stored
        self.memo = memo if memo is not None else {}
        self.index = index
        self.repositories = repositories
        self.limits = limits
        self.custom = custom
        self._directory: str | None = None
        self._resolved = False

    def directory(self) -> str | None:
        """The entity's folder on disk as a string, or None (API-synced, not checked out)."""
        if not self._resolved:
            if isinstance(self.repositories, LocalFolders):
                self._directory = self.repositories.directory_of(self.stored)
            else:
                folder = self.repositories.folder_of(self.stored)
                self._directory = str(folder) if folder is not None else None
            self._resolved = True
        return self._directory

    def folder(self) -> Path | None:
        """The entity's folder on disk, or None (API-synced, or not checked out here)."""
        directory = self.directory()
        return Path(directory) if directory is not None else None
