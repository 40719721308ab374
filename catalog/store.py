"""Reading the catalog: entities by ref, their relations in both directions, listings.

Relations are stored once, in canonical direction (see ``relations.py``); reading one entity's
relations unions both directions, so ``group:team-a`` sees ``ownerOf`` rows that the
components declared. Targets that do not exist are returned as they are (dangling).
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, bindparam, func, or_, select

from catalog.annotations import MANAGED_BY_LOCATION
from catalog.database import one_of, one_of_param, one_of_value, reader
from catalog.model import Entity
from catalog.refs import EntityRef, parse_ref, ref_from_canonical
from catalog.relations import CANONICAL, INVERSE
from catalog.tables import catalog_state, entities, relations

__all__ = [
    "ENTITY_QUERY",
    "Catalog",
    "EntitySummary",
    "Relation",
    "StoredEntity",
    "as_ref",
    "stored_entity",
]


def as_ref(ref: EntityRef | str) -> EntityRef:
    """A ref from a canonical string (or a ref)."""
    return ref if isinstance(ref, EntityRef) else parse_ref(ref)


@dataclass(frozen=True, slots=True)
class StoredEntity:
    """An entity as stored: the document as written, plus where it came from."""

    ref: EntityRef
    entity: Entity
    source: str
    location: str
    line: int | None
    entity_dir: str | None
    repo_dir: str | None
    uid: str
    etag: str
    updated_at: datetime

    @property
    def summary(self) -> EntitySummary:
        return EntitySummary.of(self)


@dataclass(frozen=True, slots=True)
class EntitySummary:
    """What a list needs to show an entity; ``exists`` is False for a dangling ref."""

    ref: EntityRef
    title: str | None = None
    description: str | None = None
    spec_type: str | None = None
    lifecycle: str | None = None
    exists: bool = True

    @property
    def name(self) -> str:
        return self.ref.name

    @property
    def display_name(self) -> str:
        return self.title or self.ref.name

    @classmethod
    def of(cls, stored: StoredEntity) -> EntitySummary:
        e = stored.entity
        return cls(
            stored.ref,
            e.metadata.title,
            e.metadata.description,
            e.spec_str("type"),
            e.spec_str("lifecycle"),
        )

    @classmethod
    def missing(cls, ref: EntityRef) -> EntitySummary:
        return cls(ref, exists=False)


@dataclass(frozen=True, slots=True, order=True)
class Relation:
    """One relation seen from an entity: ``type`` -> ``target``."""

    type: str
    target: EntityRef


_SUMMARY_COLUMNS = (
    entities.c.ref,
    entities.c.title,
    entities.c.description,
    entities.c.spec_type,
    entities.c.lifecycle,
)

#: Built once: every answer reads the generation, often several times (each per-generation
#: cache asks), and building the statement cost more than running it.
_GENERATION = select(catalog_state.c.value).where(catalog_state.c.key == "generation")


class Catalog:
    """Read access to the stored catalog."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = reader(engine)
        # The reads every answer makes, built once (building a statement and its cache key
        # cost more than running it); their refs are the parameter "refs", their relation
        # types "types".
        refs_in = functools.partial(one_of_param, name="refs", dialect=engine.dialect.name)
        types_in = relations.c.type.in_(bindparam("types", expanding=True))
        self._get_many = ENTITY_QUERY.where(refs_in(entities.c.ref))
        self._summaries = select(*_SUMMARY_COLUMNS, entities.c.owner_ref).where(
            refs_in(entities.c.ref)
        )
        self._outgoing = select(relations.c.subject, relations.c.type, relations.c.object).where(
            refs_in(relations.c.subject), types_in
        )
        self._incoming = select(relations.c.object, relations.c.type, relations.c.subject).where(
            refs_in(relations.c.object), types_in
        )
        self._owned = (
            select(entities.c.owner_ref, *_SUMMARY_COLUMNS)
            .where(refs_in(entities.c.owner_ref))
            .order_by(entities.c.ref)
        )

    def _refs(self, values: Collection[str]) -> Any:
        return one_of_value(values, self.engine.dialect.name)

    def _one_of(self, column: ColumnElement[Any], values: Collection[str]) -> ColumnElement[bool]:
        return one_of(column, values, self.engine.dialect.name)

    def generation(self) -> int:
        """A number that changes whenever the catalog does (0 before the first sync)."""
        with self._read.connect() as conn:
            value = conn.execute(_GENERATION).scalar()
        return int(value or 0)

    def get(self, ref: EntityRef | str) -> StoredEntity | None:
        """The entity with this ref, or None."""
        return self.get_many([as_ref(ref)]).get(as_ref(ref))

    def get_many(self, refs: Iterable[EntityRef]) -> dict[EntityRef, StoredEntity]:
        """Those of ``refs`` that exist."""
        wanted = sorted({str(r) for r in refs})
        found: dict[EntityRef, StoredEntity] = {}
        with self._read.connect() as conn:
            for row in conn.execute(self._get_many, {"refs": self._refs(wanted)}):
                stored = stored_entity(row)
                found[stored.ref] = stored
        return found

    def summaries(self, refs: Iterable[EntityRef]) -> dict[EntityRef, EntitySummary]:
        """A summary for every ref, marking the ones that do not exist."""
        return self.summaries_and_owners(refs)[0]

    def summaries_and_owners(
        self, refs: Iterable[EntityRef]
    ) -> tuple[dict[EntityRef, EntitySummary], dict[EntityRef, EntityRef]]:
        """``summaries``, and the owner (``spec.owner``) of each ref that has one, in one read:
        a blast radius needs both for thousands of entities."""
        wanted = {str(r): as_ref(r) for r in refs}
        summaries: dict[EntityRef, EntitySummary] = {}
        owners: dict[EntityRef, EntityRef] = {}
        with self._read.connect() as conn:
            rows = conn.execute(self._summaries, {"refs": self._refs(sorted(wanted))}).all()
        for key, title, description, spec_type, lifecycle, owner in rows:
            ref = wanted[key]
            summaries[ref] = EntitySummary(ref, title, description, spec_type, lifecycle)
            if owner:
                owners[ref] = ref_from_canonical(owner)
        ordered = {
            ref: summaries.get(ref) or EntitySummary.missing(ref)
            for ref in (wanted[key] for key in sorted(wanted))
        }
        return ordered, owners

    def annotations(self, refs: Iterable[EntityRef], key: str) -> dict[EntityRef, str]:
        """The annotation ``key`` of those ``refs`` that have it (read without building the
        entities: a team page asks this of every entity a tribe owns)."""
        wanted = sorted({str(r) for r in refs})
        found: dict[EntityRef, str] = {}
        query = select(entities.c.ref, entities.c.document).where(
            self._one_of(entities.c.ref, wanted),
            entities.c.document.contains(key, autoescape=True),
        )
        with self._read.connect() as conn:
            for ref, document in conn.execute(query):
                value = (json.loads(document)["metadata"].get("annotations") or {}).get(key)
                if isinstance(value, str):
                    found[ref_from_canonical(ref)] = value
        return found

    def named(self, name: str, *, namespace: str | None = None) -> list[StoredEntity]:
        """Entities whose name is ``name`` (any case), optionally in one namespace; by ref."""
        query = ENTITY_QUERY.where(entities.c.name == name.lower())
        if namespace:
            query = query.where(entities.c.namespace == namespace.lower())
        with self._read.connect() as conn:
            return sorted((stored_entity(row) for row in conn.execute(query)), key=lambda s: s.ref)

    def relations(
        self, ref: EntityRef | str, types: Collection[str] | None = None
    ) -> list[Relation]:
        """Every relation of an entity (or only ``types``), both directions, sorted."""
        key = str(as_ref(ref))
        found: set[Relation] = set()
        out: Select[Any] | None = select(relations.c.type, relations.c.object).where(
            relations.c.subject == key
        )
        inn: Select[Any] | None = select(relations.c.type, relations.c.subject).where(
            relations.c.object == key
        )
        if types is not None:
            stored_out = [t for t in types if t not in INVERSE or t in CANONICAL]
            stored_in = [INVERSE[t] for t in types if t in INVERSE and t not in CANONICAL]
            out = (
                out.where(relations.c.type.in_(stored_out))
                if stored_out and out is not None
                else None
            )
            inn = (
                inn.where(relations.c.type.in_(stored_in))
                if stored_in and inn is not None
                else None
            )
        with self._read.connect() as conn:
            for type_, target in conn.execute(out) if out is not None else ():
                found.add(Relation(type_, ref_from_canonical(target)))
            for type_, source in conn.execute(inn) if inn is not None else ():
                found.add(Relation(INVERSE.get(type_, type_), ref_from_canonical(source)))
        return sorted(found)

    def neighbours(
        self,
        refs: Collection[EntityRef],
        *,
        outgoing: Collection[str] = (),
        incoming: Collection[str] = (),
    ) -> dict[EntityRef, set[tuple[str, EntityRef]]]:
        """For many refs at once: targets along stored ``outgoing`` types (subject -> object)
        and sources along ``incoming`` types (object -> subject), tagged with the relation
        name as seen from the ref."""
        result: dict[EntityRef, set[tuple[str, EntityRef]]] = defaultdict(set)
        keys = [str(r) for r in refs]
        with self._read.connect() as conn:
            if outgoing:
                values = {"refs": self._refs(keys), "types": sorted(outgoing)}
                for subject, type_, obj in conn.execute(self._outgoing, values).all():
                    result[ref_from_canonical(subject)].add((type_, ref_from_canonical(obj)))
            if incoming:
                values = {"refs": self._refs(keys), "types": sorted(incoming)}
                for obj, type_, subject in conn.execute(self._incoming, values).all():
                    result[ref_from_canonical(obj)].add(
                        (INVERSE.get(type_, type_), ref_from_canonical(subject))
                    )
        return result

    def edges_of_type(self, types: Collection[str]) -> Iterator[tuple[str, str, str]]:
        """Every stored (subject, type, object) of ``types``, canonical strings, streamed."""
        query = select(relations.c.subject, relations.c.type, relations.c.object).where(
            relations.c.type.in_(sorted(types))
        )
        with self._read.connect() as conn:
            yield from conn.execution_options(yield_per=5000).execute(query)

    def owners(self, refs: Collection[EntityRef]) -> dict[EntityRef, EntityRef]:
        """The owner (``spec.owner``) of each of ``refs`` that has one."""
        query = select(entities.c.ref, entities.c.owner_ref).where(
            self._one_of(entities.c.ref, [str(r) for r in refs]), entities.c.owner_ref.is_not(None)
        )
        with self._read.connect() as conn:
            rows = conn.execute(query).all()
        return {ref_from_canonical(ref): ref_from_canonical(owner) for ref, owner in rows}

    def every_owner(self) -> Iterator[tuple[str, str]]:
        """(entity, its owner) for every entity that has an owner, canonical strings, streamed
        (for what a process keeps in memory per generation)."""
        query = select(entities.c.ref, entities.c.owner_ref).where(
            entities.c.owner_ref.is_not(None)
        )
        with self._read.connect() as conn:
            yield from conn.execution_options(yield_per=5000).execute(query)

    def entities(
        self,
        *,
        kinds: Collection[str] | None = None,
        owners: Collection[EntityRef] | None = None,
        refs: Collection[EntityRef] | None = None,
        limit: int | None = None,
    ) -> Iterator[StoredEntity]:
        """Stored entities, filtered; streamed in ref order."""
        query = ENTITY_QUERY.order_by(entities.c.ref).limit(limit)
        if kinds is not None:
            query = query.where(entities.c.kind.in_([k.lower() for k in kinds]))
        if owners is not None:
            query = query.where(self._one_of(entities.c.owner_ref, [str(o) for o in owners]))
        if refs is not None:
            query = query.where(self._one_of(entities.c.ref, [str(r) for r in refs]))
        with self._read.connect() as conn:
            for row in conn.execution_options(yield_per=1000).execute(query):
                yield stored_entity(row)

    def owned_refs(self, owners: Collection[EntityRef]) -> dict[EntityRef, list[EntitySummary]]:
        """What each owner owns (by ``spec.owner``), as summaries."""
        result: dict[EntityRef, list[EntitySummary]] = defaultdict(list)
        keys = [str(o) for o in owners]
        with self._read.connect() as conn:
            rows = conn.execute(self._owned, {"refs": self._refs(keys)})
            for owner, ref, title, description, spec_type, lifecycle in rows:
                result[ref_from_canonical(owner)].append(
                    EntitySummary(ref_from_canonical(ref), title, description, spec_type, lifecycle)
                )
        return result

    def as_backstage(self, stored: StoredEntity) -> dict[str, Any]:
        """The entity as Backstage's API shows it: uid, etag, location annotations, relations."""
        document = stored.entity.model_dump(mode="json", exclude_none=True, exclude={"relations"})
        metadata = document["metadata"]
        metadata["uid"], metadata["etag"] = stored.uid, stored.etag
        annotations = metadata.setdefault("annotations", {})
        annotations.setdefault(MANAGED_BY_LOCATION, stored.location)
        document["relations"] = [
            {"type": r.type, "targetRef": str(r.target)} for r in self.relations(stored.ref)
        ]
        return document

    def count_by_kind(self) -> dict[str, int]:
        """How many entities of each (lowercased) kind."""
        with self._read.connect() as conn:
            rows = conn.execute(
                select(entities.c.kind, func.count())
                .group_by(entities.c.kind)
                .order_by(entities.c.kind)
            )
            return {kind: int(n) for kind, n in rows}

    def search_rows(self, words: list[str], *, limit: int) -> list[tuple[EntityRef, str]]:
        """Refs whose searchable text contains every word, with that text (for ranking)."""
        conditions = [entities.c.search_text.contains(w.lower(), autoescape=True) for w in words]
        query = select(entities.c.ref, entities.c.search_text).where(and_(*conditions)).limit(limit)
        with self._read.connect() as conn:
            return [(ref_from_canonical(r), t) for r, t in conn.execute(query)]

    def search_texts(self) -> list[tuple[str, str]]:
        """Every (searchable text, canonical ref) pair, for matching in memory."""
        with self._read.connect() as conn:
            query = select(entities.c.search_text, entities.c.ref)
            return [(t, r) for t, r in conn.execute(query)]

    def names(self) -> list[tuple[str, str]]:
        """Every (name, ref) pair, for fuzzy matching."""
        with self._read.connect() as conn:
            return [(n, r) for n, r in conn.execute(select(entities.c.name, entities.c.ref))]

    def with_user_email(self, email: str) -> list[EntityRef]:
        """Users whose profile email is ``email`` (any case)."""
        needle = email.strip().lower()
        query = select(entities.c.ref, entities.c.document).where(
            entities.c.kind == "user",
            or_(
                entities.c.search_text.contains(needle.split("@")[0], autoescape=True),
                entities.c.document.contains(needle, autoescape=True),
            ),
        )
        found = []
        with self._read.connect() as conn:
            for ref, document in conn.execute(query):
                profile = (json.loads(document).get("spec") or {}).get("profile") or {}
                if str(profile.get("email", "")).strip().lower() == needle:
                    found.append(ref_from_canonical(ref))
        return found

    def with_annotation(self, key: str, value: str, *, kind: str | None = None) -> list[EntityRef]:
        """Entities (of ``kind``) whose annotation ``key`` is exactly ``value``."""
        query = select(entities.c.ref, entities.c.document).where(
            entities.c.document.contains(value, autoescape=True)
        )
        if kind:
            query = query.where(entities.c.kind == kind.lower())
        found = []
        with self._read.connect() as conn:
            for ref, document in conn.execute(query):
                annotations = (json.loads(document).get("metadata") or {}).get("annotations") or {}
                if annotations.get(key) == value:
                    found.append(ref_from_canonical(ref))
        return sorted(found)


#: The columns ``stored_entity`` reads; add columns or conditions to it as needed.
ENTITY_QUERY: Select[Any] = select(
    entities.c.ref,
    entities.c.document,
    entities.c.source,
    entities.c.location,
    entities.c.line,
    entities.c.entity_dir,
    entities.c.repo_dir,
    entities.c.uid,
    entities.c.etag,
    entities.c.updated_at,
)


def stored_entity(row: Any) -> StoredEntity:
    """A row of ``ENTITY_QUERY`` (plus any further columns) as a ``StoredEntity``."""
    # Positional unpacking: this runs for every entity of an evaluation or a listing.
    _, document, source, location, line, entity_dir, repo_dir, uid, etag, updated = row[:10]
    entity = Entity.model_validate_json(document)
    return StoredEntity(
        ref=entity.ref,
        entity=entity,
        source=source,
        location=location,
        line=line,
        entity_dir=entity_dir,
        repo_dir=repo_dir,
        uid=uid,
        etag=etag,
        updated_at=updated,
    )
