"""A running Backstage's catalog REST API (``/api/catalog/entities/by-query``), paged by
cursor, authenticated with a static bearer token; Backstage stays the source of truth.

Besides the entities it serves, Backstage knows about entities it failed to process: on a
served entity they are ``status.items`` errors (it serves the last version that processed);
entities that never processed are listed by the unprocessed-entities module
(``@backstage/plugin-catalog-backend-module-unprocessed``: ``/entities/unprocessed/failed``
and ``/pending``), read when it is installed (a 404 means it is not). Both are reported as
problems with the entity's ref, and an entity Backstage failed on or has not processed yet
keeps its last version here, as a broken file does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from catalog.errors import SourceUnavailable
from catalog.sources._backstage_documents import (
    bookkeeping_free,
    location_of,
    ref_of,
    status_problems,
    unprocessed_problem,
)
from catalog.sources._backstage_http import EXPECTED_BASE_URL, BackstageClient
from catalog.sources.base import FileReaderLike, Origin, Problem, ScannedFile
from catalog.sources.file_reader import content_hash

__all__ = ["BackstageApiSource"]

_QUERY = "/api/catalog/entities/by-query"
_UNPROCESSED = "/api/catalog/entities/unprocessed"
#: The file that keeps what Backstage has not processed yet.
_PENDING_PATH = "backstage:unprocessed/pending"


class BackstageApiSource:
    """Every entity the API returns for ``filters`` (ORed, as Backstage's ``filter`` params)."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        token: str | None = None,
        token_env: str | None = None,
        filters: Sequence[str] = (),
        page_size: int = 500,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``token_env`` names where the token came from (for messages only)."""
        self.name = name
        self.filters = list(filters)
        self.page_size = page_size
        self._http = BackstageClient(
            name, base_url, token=token, token_env=token_env, timeout=timeout, transport=transport
        )

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        # Fetch everything before yielding anything: a failure half-way must not look like a
        # catalog that shrank (the sync would then remove the entities of the missing pages).
        items = list(self._fetch_all())
        unprocessed = self._unprocessed()
        served: set[str] = set()
        for item in items:
            scanned = self._read_item(reader, item)
            served.update(scanned.refs)
            yield scanned
        for scanned in unprocessed:
            scanned.kept_refs = [r for r in scanned.kept_refs if r not in served]
            yield scanned

    def _read_item(self, reader: FileReaderLike, item: dict[str, Any]) -> ScannedFile:
        ref = ref_of(item)
        if ref is None:
            problem = Problem("error", "the API returned an entity without kind or name")
            key = content_hash(repr(sorted(item.items(), key=str)).encode())
            return ScannedFile(f"invalid-item-{key}", "", problems=[problem])
        location = location_of(item) or (
            f"{self.base_url}/catalog/{ref.namespace}/{ref.kind}/{ref.name}"
        )
        return reader.read_document(
            str(ref),
            bookkeeping_free(item),
            origin=Origin(source=self.name, location=location),
            problems=status_problems(item, str(ref)),
        )

    def _fetch_all(self) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"limit": self.page_size}
        if self.filters:
            params["filter"] = self.filters
        while True:
            page = self._http.get(_QUERY, params) or {}
            items = page.get("items")
            if not isinstance(items, list):
                raise SourceUnavailable(
                    f"source {self.name!r}: {self.base_url}{_QUERY} did not answer with a "
                    f"catalog page (no 'items'); base_url must be {EXPECTED_BASE_URL}"
                )
            yield from (i for i in items if isinstance(i, dict))
            cursor = (page.get("pageInfo") or {}).get("nextCursor")
            if not cursor:
                return
            params = {"limit": self.page_size, "cursor": cursor}

    def _unprocessed(self) -> list[ScannedFile]:
        """What Backstage failed on or has not processed yet (nothing without the module)."""
        try:
            failed = self._http.get(f"{_UNPROCESSED}/failed", optional=True)
            pending = None
            if failed is not None:
                pending = self._http.get(f"{_UNPROCESSED}/pending", optional=True)
        except SourceUnavailable as error:
            reason = error.user_message.removeprefix(f"source {self.name!r}: ")
            said = f"could not read Backstage's unprocessed entities: {reason}"
            problem = Problem("warning", said)
            return [ScannedFile("backstage:unprocessed", "", problems=[problem])]
        files = []
        for state in _entities(failed):
            found = unprocessed_problem(state)
            if found is not None:
                ref, problem = found
                files.append(ScannedFile(ref, "", problems=[problem], kept_refs=[ref]))
        waiting = sorted({r for r in map(_pending_ref, _entities(pending)) if r is not None})
        if waiting:
            shown = ", ".join(waiting[:5]) + (", ..." if len(waiting) > 5 else "")
            problem = Problem(
                "warning",
                f"Backstage has not processed {len(waiting)} entities yet ({shown}); "
                "their last versions are kept until it does",
            )
            files.append(ScannedFile(_PENDING_PATH, "", problems=[problem], kept_refs=waiting))
        return files


def _entities(answer: dict[str, Any] | None) -> list[dict[str, Any]]:
    entities = (answer or {}).get("entities")
    return [e for e in entities if isinstance(e, dict)] if isinstance(entities, list) else []


def _pending_ref(state: dict[str, Any]) -> str | None:
    ref = state.get("entity_ref")
    if isinstance(ref, str) and ref:
        return ref.lower()
    entity = state.get("unprocessed_entity")
    parsed = ref_of(entity) if isinstance(entity, dict) else None
    return str(parsed) if parsed else None
