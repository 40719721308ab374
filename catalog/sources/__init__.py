"""Where entities come from: folders, Location files, git repositories, Backstage's API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from catalog.sources.backstage_api import (
        BackstageApiSource as BackstageApiSource,
    )
    from catalog.sources.base import (
        CatalogSource as CatalogSource,
        Origin as Origin,
        Problem as Problem,
        ScannedFile as ScannedFile,
        SourcedEntity as SourcedEntity,
    )
    from catalog.sources.defaults import (
        ADHOC_BACKSTAGE_TOKEN_ENV as ADHOC_BACKSTAGE_TOKEN_ENV,
        DEFAULT_EXCLUDE as DEFAULT_EXCLUDE,
        DEFAULT_INCLUDE as DEFAULT_INCLUDE,
    )
    from catalog.sources.directory import (
        DirectorySource as DirectorySource,
    )
    from catalog.sources.file_reader import (
        FileReader as FileReader,
        PreviousFile as PreviousFile,
        content_hash as content_hash,
    )
    from catalog.sources.git import (
        GitSource as GitSource,
        redact_url as redact_url,
    )
    from catalog.sources.location import (
        LocationSource as LocationSource,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
