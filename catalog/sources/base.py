"""What every catalog source yields: scanned files, their entities with origins, and problems."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Protocol, runtime_checkable

from catalog.ingest import ParsedEntity

__all__ = [
    "CatalogSource",
    "Origin",
    "Problem",
    "ScannedFile",
    "SourceState",
    "SourcedEntity",
    "WatchedSource",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """An error or warning found while reading a source, located as precisely as we can."""

    level: Literal["error", "warning"]
    message: str
    file: str | None = None
    line: int | None = None
    ref: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else (self.file or "")
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an entity came from: which source, file or URL, line, and folders on disk."""

    source: str
    location: str
    line: int | None = None
    entity_dir: str | None = None
    repo_dir: str | None = None


@dataclass(frozen=True, slots=True)
class SourcedEntity:
    """A valid entity and its origin."""

    parsed: ParsedEntity
    origin: Origin


@dataclass(slots=True)
class ScannedFile:
    """One file (or API page item) of a source as read in this run.

    ``unchanged`` files were not parsed again: their entities stay as stored, ``refs`` says
    which. ``kept_refs`` are entities that must survive although the file did not yield them
    this time (the file broke; the last good version stays, as Backstage does). ``stamp``
    identifies the file's state on disk when read ("" when it cannot be trusted).
    """

    path: str
    content_hash: str
    unchanged: bool = False
    entities: list[SourcedEntity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    kept_refs: list[str] = field(default_factory=list)
    keep_all_previous: bool = False
    stamp: str = ""
    #: a Location walk parses this file on every run while it yields a Location entity
    follows_locations: bool = False
    #: its documents read other files ($text, $json, $yaml placeholders) when parsed
    reads_other_files: bool = False
    #: the rows made from ``entities`` where the file was parsed (``FileReader.finish``);
    #: ``entities`` then keeps only what the source itself still reads (Location entities)
    prepared: list[Any] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # From a parsing worker as its field values: loading slots one by one costs more
        # than the parse of a small file.
        return (ScannedFile, _scanned_values(self))


_scanned_values = operator.attrgetter(*(f.name for f in fields(ScannedFile)))


class CatalogSource(Protocol):
    """A place entities come from. ``scan`` raises SourceUnavailable when it cannot be read."""

    name: str

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        """Every file of the source, read through ``reader``."""
        ...


@dataclass(frozen=True, slots=True)
class SourceState:
    """What a scan read, as far as the source can vouch for it: a digest, and the paths whose
    stamps make it up (none when the digest says it all, e.g. a git commit)."""

    digest: str
    paths: Sequence[str] = ()


@runtime_checkable
class WatchedSource(CatalogSource, Protocol):
    """A source that can tell, without reading its files, that they are as last read."""

    def observed_state(self) -> SourceState | None:
        """After ``scan``: the state it read; None when something in it cannot be vouched
        for (a file changed while read, one unreadable)."""
        ...

    def current_digest(self, paths: Sequence[str]) -> str | None:
        """Before a scan: the digest ``observed_state`` would give now, from the recorded
        ``paths``; None when it cannot tell. Raises SourceUnavailable as ``scan`` would."""
        ...


class FileReaderLike(Protocol):
    """What a source needs from the sync's reader (see ``file_reader.FileReader``)."""

    def read(
        self,
        path: str,
        data: bytes,
        *,
        origin: Origin,
        root: str | None,
        force_parse: bool = False,
    ) -> ScannedFile: ...

    def read_document(
        self,
        path: str,
        document: dict[str, Any],
        *,
        origin: Origin,
        problems: Sequence[Problem] = (),
    ) -> ScannedFile: ...

    def previous_refs(self, path: str) -> list[str]: ...

    def unchanged_since(self, path: str, stamp: str) -> ScannedFile | None: ...

    def stamp_key(self, stamp: str) -> str: ...
