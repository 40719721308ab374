"""What Backstage 4.0.0 serves for the example corpus (see tests/catalog/test_backstage_corpus.py),
rebuilt from greenroom's file sync of it: every entity but the nine APIs and the ``example-apis``
Location its missing target failed, each with the relations Backstage stitches (both directions
of what the served entities declare), plus one generated Location per registered entry file.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select

from catalog import Catalog
from catalog.relations import INVERSE
from catalog.tables import relations
from tests.fakes.backstage_api import refresh_state

LOST = "location:default/example-apis"
MISSING = "apis/hello-world-api.yaml"


def served_refs(catalog: Catalog) -> set[str]:
    """The refs Backstage serves: all but the APIs and the Location that failed."""
    return {str(e.ref) for e in catalog.entities() if e.ref.kind != "api" and str(e.ref) != LOST}


def stitched(catalog: Catalog, served: set[str]) -> dict[str, list[tuple[str, str]]]:
    """Each served entity's relations as Backstage stitches them."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with catalog.engine.connect() as conn:
        for subject, type_, obj, origin in conn.execute(select(relations)):
            if origin not in served:
                continue
            if subject in served:
                found[subject].add((type_, obj))
            if obj in served:
                found[obj].add((INVERSE.get(type_, type_), subject))
    return {ref: sorted(pairs) for ref, pairs in found.items()}


def relation_entries(catalog: Catalog, served: set[str]) -> int:
    """The sum of every served entity's ``relations`` (what the comparison counted)."""
    return sum(len(pairs) for pairs in stitched(catalog, served).values())


def served_by_backstage(catalog: Catalog, corpus_dir: Path) -> list[dict[str, Any]]:
    """The by-query items of a Backstage serving the corpus: uids, etags, relations, status."""
    served = served_refs(catalog)
    relations_of = stitched(catalog, served)
    items = []
    for stored in catalog.entities():
        if str(stored.ref) not in served:
            continue
        document = stored.entity.model_dump(mode="json", exclude_none=True, exclude={"relations"})
        document["metadata"].setdefault("annotations", {}).update(
            {
                "backstage.io/managed-by-location": stored.location,
                "backstage.io/managed-by-origin-location": f"file:{corpus_dir}/all.yaml",
            }
        )
        items.append(_served(document, relations_of.get(str(stored.ref), [])))
    for entry in ("all.yaml", "acme-corp.yaml"):
        generated = {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Location",
            "metadata": {
                "name": f"generated-{uuid.uuid5(uuid.NAMESPACE_URL, entry).hex[:40]}",
                "namespace": "default",
                "annotations": {
                    "backstage.io/managed-by-location": "bootstrap:bootstrap",
                    "backstage.io/managed-by-origin-location": "bootstrap:bootstrap",
                },
            },
            "spec": {"type": "file", "target": str(corpus_dir / entry)},
        }
        items.append(_served(generated, []))
    return items


def failed_states(corpus_dir: Path) -> list[dict[str, Any]]:
    """``/entities/unprocessed/failed``: the Location whose target is missing."""
    location = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {
            "name": "example-apis",
            "namespace": "default",
            "annotations": {"backstage.io/managed-by-location": f"file:{corpus_dir}/all-apis.yaml"},
        },
        "spec": {"targets": ["./apis/hello-world-api.yaml"]},
    }
    error = {
        "name": "NotFoundError",
        "message": f"file {corpus_dir / MISSING} does not exist",
        "cause": {"name": "Error", "message": "ENOENT", "stack": "Error: ENOENT\n    at ..."},
    }
    return [refresh_state(location, [error])]


def _served(document: dict[str, Any], pairs: list[tuple[str, str]]) -> dict[str, Any]:
    document["metadata"]["uid"] = str(uuid.uuid4())
    document["metadata"]["etag"] = uuid.uuid4().hex
    document["relations"] = [{"type": t, "targetRef": ref} for t, ref in pairs]
    document["status"] = {"items": []}
    return document
