"""The new project's ``catalog-info.yaml``, checked before anything is published: it must be
valid (read exactly as the sync will read it), declare only the kinds its template registers
(``registers`` in ``greenroom-template.yaml``: a template's output must not make someone a
member of a team, nor a Location pulling in other files) and name nothing that already
exists. A template without one gets a plain Component from the standard fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from catalog import Catalog, EntityRef
from catalog.annotations import TECHDOCS_REF
from catalog.sources import FileReader, Origin
from catalog.yaml_reader import YamlLimits
from integrations.errors import ScaffoldFailed
from integrations.scaffolder.metadata import DEFAULT_KINDS

__all__ = ["CATALOG_FILE", "CatalogFile", "DefaultEntity", "check_catalog_file"]

CATALOG_FILE = "catalog-info.yaml"


@dataclass(frozen=True, slots=True)
class DefaultEntity:
    """What a generated catalog-info.yaml says, when the template brings none."""

    name: str
    description: str
    owner: str
    system: str | None
    type: str


@dataclass(frozen=True, slots=True)
class CatalogFile:
    """The entities the new repository declares; ``main`` is the one to link to."""

    refs: tuple[EntityRef, ...]
    main: EntityRef
    has_docs: bool
    generated: bool


def check_catalog_file(
    project: Path,
    *,
    catalog: Catalog,
    default: DefaultEntity,
    limits: YamlLimits,
    kinds: Sequence[str] = DEFAULT_KINDS,
) -> CatalogFile:
    """Check (or write) ``project/catalog-info.yaml``; ScaffoldFailed when it is unusable or
    declares an entity of a kind not in ``kinds`` (what the template registers)."""
    path = project / CATALOG_FILE
    generated = not path.is_file()
    if generated:
        path.write_text(_default_document(default), encoding="utf-8")
    origin = Origin(
        source="scaffold", location=f"file:{path}", entity_dir=str(project), repo_dir=str(project)
    )
    scanned = FileReader({}, limits).read(
        CATALOG_FILE, path.read_bytes(), origin=origin, root=str(project)
    )
    errors = [p for p in scanned.problems if p.level == "error"]
    if errors:
        shown = "; ".join(str(p) for p in errors[:3])
        raise ScaffoldFailed(f"The template produced an invalid {CATALOG_FILE}: {shown}")
    if not scanned.entities:
        raise ScaffoldFailed(f"The template's {CATALOG_FILE} declares no entity.")
    allowed = {kind.lower() for kind in kinds}
    for sourced in scanned.entities:
        entity = sourced.parsed.entity
        if entity.kind.lower() not in allowed:
            raise ScaffoldFailed(
                f"The template's {CATALOG_FILE} declares {entity.ref} (kind {entity.kind}); "
                f"this template may register only {', '.join(kinds)}. Nothing was created."
            )
    refs = tuple(s.parsed.entity.ref for s in scanned.entities)
    existing = sorted(str(r) for r in catalog.get_many(refs))
    if existing:
        raise ScaffoldFailed(
            f"The new {CATALOG_FILE} declares {', '.join(existing)}, which already "
            "exists in the catalog; choose another name."
        )
    main = next((s for s in scanned.entities if s.parsed.entity.kind == "Component"), None)
    main = main or scanned.entities[0]
    return CatalogFile(
        refs=refs,
        main=main.parsed.entity.ref,
        has_docs=main.parsed.entity.annotation(TECHDOCS_REF) is not None,
        generated=generated,
    )


def _default_document(entity: DefaultEntity) -> str:
    spec: dict[str, str] = {"type": entity.type, "lifecycle": "experimental", "owner": entity.owner}
    if entity.system:
        spec["system"] = entity.system
    document = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": entity.name, "description": entity.description},
        "spec": spec,
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
