"""A running Backstage's catalog REST API (``/api/catalog/entities/by-query``), paged by
cursor, authenticated with a static bearer token; Backstage stays the source of truth."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from catalog.errors import SourceUnavailable
from catalog.refs import EntityRef
from catalog.sources.base import FileReaderLike, Origin, Problem, ScannedFile

__all__ = ["BackstageApiSource"]


class BackstageApiSource:
    """Every entity the API returns for ``filters`` (ORed, as Backstage's ``filter`` params)."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        token: str | None = None,
        filters: Sequence[str] = (),
        page_size: int = 500,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.filters = list(filters)
        self.page_size = page_size
        headers = {"Accept": "application/json", "User-Agent": "greenroom"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        # Fetch every page before yielding anything: a failure half-way must not look like a
        # catalog that shrank (the sync would then remove the entities of the missing pages).
        items = list(self._fetch_all())
        for item in items:
            ref = _ref_of(item)
            if ref is None:
                problem = Problem("error", "the API returned an entity without kind or name")
                yield ScannedFile(f"invalid-item-{id(item)}", "", problems=[problem])
                continue
            annotations = item.get("metadata", {}).get("annotations") or {}
            location = annotations.get("backstage.io/managed-by-location") or (
                f"{self.base_url}/catalog/{ref.namespace}/{ref.kind}/{ref.name}"
            )
            origin = Origin(source=self.name, location=location)
            yield reader.read_document(str(ref), item, origin=origin)

    def _fetch_all(self) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"limit": self.page_size}
        if self.filters:
            params["filter"] = self.filters
        while True:
            page = self._get(params)
            items = page.get("items")
            if not isinstance(items, list):
                raise SourceUnavailable(
                    f"source {self.name!r}: {self.base_url} did not answer with a catalog page "
                    "(no 'items'); is this Backstage's backend URL?"
                )
            yield from (i for i in items if isinstance(i, dict))
            cursor = (page.get("pageInfo") or {}).get("nextCursor")
            if not cursor:
                return
            params = {"limit": self.page_size, "cursor": cursor}

    def _get(self, params: dict[str, Any]) -> dict[str, Any]:
        url = "/api/catalog/entities/by-query"
        try:
            response = self._client.get(url, params=params)
        except httpx.HTTPError as error:
            raise SourceUnavailable(
                f"source {self.name!r}: could not reach {self.base_url}: {error}"
            ) from None
        if response.status_code != 200:
            raise SourceUnavailable(
                f"source {self.name!r}: {self.base_url} answered HTTP {response.status_code}"
                f"{_backstage_error(response)}"
            )
        try:
            body = response.json()
        except ValueError:
            raise SourceUnavailable(
                f"source {self.name!r}: {self.base_url} sent invalid JSON"
            ) from None
        if not isinstance(body, dict):
            raise SourceUnavailable(f"source {self.name!r}: unexpected answer from {self.base_url}")
        return body


def _backstage_error(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        return ""
    if isinstance(error, dict) and error.get("message"):
        return f" ({error.get('name', 'Error')}: {error['message']})"
    return ""


def _ref_of(item: dict[str, Any]) -> EntityRef | None:
    metadata = item.get("metadata")
    kind = item.get("kind")
    if not isinstance(metadata, dict) or not isinstance(kind, str):
        return None
    name, namespace = metadata.get("name"), metadata.get("namespace") or "default"
    if not isinstance(name, str) or not isinstance(namespace, str):
        return None
    return EntityRef.of(kind, namespace, name)
