"""Links to docs pages: our own ``/docs`` mount, or a company's existing TechDocs.

Both follow Backstage's scheme ``<base>/<namespace>/<kind>/<name>/<page path>#<anchor>``
(lowercased), so a link works the same whether greenroom or Backstage serves the site.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from catalog import EntityRef
from integrations.techdocs.settings import TechDocsSettings

__all__ = ["DEFAULT_MOUNT", "DocsLinks"]

DEFAULT_MOUNT = "/docs"


@dataclass(frozen=True, slots=True)
class DocsLinks:
    """Builds (and reads back) every docs URL greenroom shows."""

    base_url: str = DEFAULT_MOUNT
    external: bool = False

    @classmethod
    def from_settings(cls, settings: TechDocsSettings) -> DocsLinks:
        """External TechDocs when configured, else our own mount."""
        if settings.external_base_url:
            return cls(settings.external_base_url, external=True)
        return cls(settings.base_url or DEFAULT_MOUNT)

    def site_url(self, ref: EntityRef) -> str:
        """The docs home of an entity (with a trailing slash, as mkdocs links expect)."""
        parts = (ref.namespace, ref.kind, ref.name)
        return f"{self.base_url}/" + "/".join(quote(p, safe="") for p in parts) + "/"

    def page_url(self, ref: EntityRef, path: str = "", anchor: str | None = None) -> str:
        """A page of the site; ``path`` as mkdocs writes it (``guide/``, ``a/b.html#x``)."""
        if path.startswith(("http://", "https://")):
            return path
        path, _, inline_anchor = path.lstrip("/").removeprefix("./").partition("#")
        fragment = anchor or inline_anchor
        url = self.site_url(ref) + quote(path, safe="/.-_~")
        return f"{url}#{quote(fragment, safe='-_.~')}" if fragment else url

    def parse(self, url: str) -> tuple[EntityRef, str, str | None] | None:
        """(entity, page path, anchor) of one of our docs URLs, or None if it is not one."""
        parts = urlsplit(url.strip())
        base = urlsplit(self.base_url)
        if base.netloc and parts.netloc.lower() != base.netloc.lower():
            return None
        prefix = base.path.rstrip("/") + "/"
        if not parts.path.startswith(prefix):
            return None
        segments = parts.path[len(prefix) :].split("/", 3)
        if len(segments) < 3 or not all(segments[:3]):
            return None
        namespace, kind, name = (unquote(s).lower() for s in segments[:3])
        page = unquote(segments[3]) if len(segments) > 3 else ""
        return EntityRef(kind, namespace, name), page, unquote(parts.fragment) or None
