"""Registered locations: catalog files of repositories greenroom created, kept in the catalog.

Each registered location is a git repository plus the path of its catalog file. Registering
one reads it at once (the entity is queryable right away); every later sync reads them all
again through ``RegisteredLocationsSource`` (the configured sources plus this one), so
changes the team pushes flow in, and nothing registered is removed by a sync. A repository
that cannot be fetched keeps its last entities, with an error in the sync report.

The annotations the publisher returned (``github.com/project-slug``,
``backstage.io/source-location``) are added to the entities read from the location, unless
the file sets them itself, as Backstage's location processors do.

A registered repository may only ever register the kinds its template declares (``registers``
in its ``greenroom-template.yaml``; Components for a template no longer offered): whatever
the team pushes later, a User, a Group or a Location in its catalog file is left out of the
catalog with an error in the sync report, as at creation.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine, delete, insert, select

from catalog.database import writer
from catalog.errors import InvalidEntity, SourceUnavailable
from catalog.ingest import parse_entity
from catalog.sources import FileReader, GitSource, Origin, Problem, ScannedFile, SourcedEntity
from catalog.sources.base import FileReaderLike
from catalog.sync import SourceReport, SourceScan, apply_scan
from catalog.yaml_reader import YamlLimits
from integrations.scaffolder.metadata import DEFAULT_KINDS
from integrations.scaffolder.tables import registered_locations, scaffold_runs

__all__ = [
    "REGISTERED_SOURCE",
    "DeclaredKinds",
    "RegisteredLocation",
    "RegisteredLocationsSource",
    "register_location",
    "registered",
]

REGISTERED_SOURCE = "registered"
#: Declared kinds by template id, lowercased (``TemplateIndex.kinds``).
DeclaredKinds = Callable[[], Mapping[str, frozenset[str]]]
_DEFAULT_KINDS = frozenset(kind.lower() for kind in DEFAULT_KINDS)


@dataclass(frozen=True, slots=True)
class RegisteredLocation:
    """A repository's catalog file that the catalog keeps reading."""

    name: str
    url: str
    branch: str
    path: str = "catalog-info.yaml"
    web_url: str | None = None
    provider: str = "git"
    annotations: tuple[tuple[str, str], ...] = ()
    template: str | None = None

    @property
    def file_key(self) -> str:
        """Its path in the source's file list (unique across locations)."""
        return f"{self.name}/{self.path}"


class RegisteredLocationsSource:
    """A catalog source made of every registered location."""

    name = REGISTERED_SOURCE

    def __init__(
        self,
        engine: Engine,
        *,
        cache_dir: Path,
        credentials: Mapping[str, tuple[str, SecretStr]] | None = None,
        timeout: float = 60.0,
        declared_kinds: DeclaredKinds | None = None,
    ) -> None:
        """``credentials`` maps a location's provider (``git`` or a provider's name) to the
        user name and token used to fetch it; ``declared_kinds`` gives the kinds
        each template registers (``TemplateIndex.kinds``), asked once per scan."""
        self.engine = engine
        self.cache_dir = cache_dir
        self._credentials = dict(credentials or {})
        self.timeout = timeout
        self._declared_kinds = declared_kinds or dict

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        declared = self._declared_kinds()
        for location in registered(self.engine):
            yield self.read(location, reader, declared=declared)

    def read(
        self,
        location: RegisteredLocation,
        reader: FileReaderLike,
        *,
        declared: Mapping[str, frozenset[str]] | None = None,
    ) -> ScannedFile:
        """Fetch the repository and read its catalog file (only the kinds its template
        registers); on failure keep what was there."""
        if declared is None:
            declared = self._declared_kinds()
        allowed = declared.get(location.template or "", _DEFAULT_KINDS)
        key = location.file_key
        git = GitSource(
            self.name,
            location.url,
            cache_dir=self.cache_dir,
            branch=location.branch,
            username=login[0] if (login := self._credentials.get(location.provider)) else None,
            token=login[1] if login else None,
            timeout=self.timeout,
        )
        try:
            checkout = git.refresh()
        except SourceUnavailable as error:
            return _kept(key, error.user_message)
        file = (checkout / location.path).resolve()
        if not file.is_relative_to(checkout.resolve()) or not file.is_file():
            return _kept(key, f"{location.path} is missing from {location.url}")
        origin = Origin(
            source=self.name,
            location=f"url:{location.web_url or location.url}#{location.path}",
            entity_dir=str(file.parent),
            repo_dir=str(checkout),
        )
        # Parse again when a kind stored from this file is no longer allowed (the template's
        # declaration changed): an unchanged file would otherwise keep it.
        stale = any(ref.partition(":")[0] not in allowed for ref in reader.previous_refs(key))
        scanned = reader.read(
            key, file.read_bytes(), origin=origin, root=str(checkout), force_parse=stale
        )
        _keep_kinds(scanned, allowed, location)
        if location.annotations:
            scanned.entities = [_annotated(s, location.annotations) for s in scanned.entities]
        return scanned


def registered(engine: Engine) -> list[RegisteredLocation]:
    """Every registered location, by name, with the template it was made from."""
    query = (
        select(registered_locations, scaffold_runs.c.template)
        .select_from(
            registered_locations.outerjoin(
                scaffold_runs, scaffold_runs.c.id == registered_locations.c.run_id
            )
        )
        .order_by(registered_locations.c.name)
    )
    with engine.connect() as conn:
        return [
            RegisteredLocation(
                r.name,
                r.url,
                r.branch,
                r.path,
                r.web_url,
                r.provider,
                tuple((str(k), str(v)) for k, v in (r.annotations or {}).items()),
                r.template,
            )
            for r in conn.execute(query).all()
        ]


def register_location(
    engine: Engine,
    source: RegisteredLocationsSource,
    location: RegisteredLocation,
    *,
    registered_by: str,
    run_id: int | None = None,
    limits: YamlLimits = YamlLimits(),
    kinds: frozenset[str] | None = None,
) -> SourceReport:
    """Record the location and read it into the catalog now (without a full sync). The row
    is kept even if reading fails, so the next sync picks the repository up. ``kinds``: what
    its template registers (default: as the source's ``declared_kinds`` says)."""
    declared = None if kinds is None else {location.template or "": kinds}
    scanned = source.read(location, FileReader({}, limits), declared=declared)
    with writer(engine).begin() as conn:
        conn.execute(
            delete(registered_locations).where(registered_locations.c.name == location.name)
        )
        conn.execute(
            insert(registered_locations).values(
                name=location.name,
                url=location.url,
                branch=location.branch,
                path=location.path,
                web_url=location.web_url,
                provider=location.provider,
                annotations=dict(location.annotations),
                registered_by=registered_by,
                run_id=run_id,
                created_at=datetime.now(UTC),
            )
        )
        return apply_scan(conn, SourceScan.of(source.name, [scanned], {}), complete=False)


def _keep_kinds(
    scanned: ScannedFile, allowed: frozenset[str], location: RegisteredLocation
) -> None:
    """Leave out the entities of kinds the location's template does not register."""
    if scanned.unchanged:
        return
    kept = []
    for sourced in scanned.entities:
        entity = sourced.parsed.entity
        if entity.kind.lower() in allowed:
            kept.append(sourced)
            continue
        made_by = f"the template {location.template!r}" if location.template else "its template"
        scanned.problems.append(
            Problem(
                "error",
                f"{entity.ref} is of kind {entity.kind}, which repositories made from "
                f"{made_by} may not register (allowed: {', '.join(sorted(allowed))}); "
                "it was left out",
                scanned.path,
                sourced.origin.line,
                str(entity.ref),
                "kind",
            )
        )
    scanned.entities = kept


def _annotated(sourced: SourcedEntity, annotations: tuple[tuple[str, str], ...]) -> SourcedEntity:
    """The entity with the location's annotations added where the file has none of its own."""
    document = copy.deepcopy(sourced.parsed.document)
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return sourced
    present = metadata.get("annotations")
    merged = dict(annotations) | (present if isinstance(present, dict) else {})
    if present == merged:
        return sourced
    metadata["annotations"] = merged
    try:
        return replace(sourced, parsed=parse_entity(document))
    except InvalidEntity:
        return sourced


def _kept(key: str, reason: str) -> ScannedFile:
    problem = Problem("error", f"{reason}; its entities are kept as they were", key)
    return ScannedFile(key, "", problems=[problem], keep_all_previous=True)
