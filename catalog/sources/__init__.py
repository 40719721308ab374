"""Where entities come from: folders, Location files, git repositories, Backstage's API."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.sources.backstage_api import BackstageApiSource
    from catalog.sources.base import (
        CatalogSource,
        Origin,
        Problem,
        ScannedFile,
        SourcedEntity,
    )
    from catalog.sources.defaults import (
        ADHOC_BACKSTAGE_TOKEN_ENV,
        DEFAULT_EXCLUDE,
        DEFAULT_INCLUDE,
    )
    from catalog.sources.directory import DirectorySource
    from catalog.sources.file_reader import FileReader, PreviousFile, content_hash
    from catalog.sources.git import GitSource, redact_url
    from catalog.sources.location import LocationSource

__all__ = [
    "ADHOC_BACKSTAGE_TOKEN_ENV",
    "DEFAULT_EXCLUDE",
    "DEFAULT_INCLUDE",
    "BackstageApiSource",
    "CatalogSource",
    "DirectorySource",
    "FileReader",
    "GitSource",
    "LocationSource",
    "Origin",
    "PreviousFile",
    "Problem",
    "ScannedFile",
    "SourcedEntity",
    "content_hash",
    "redact_url",
]


# Submodules are imported on first use: a command that needs one thing of this package
# does not pay for all of it (see bot/cli/main.py).
_MODULES = {
    "ADHOC_BACKSTAGE_TOKEN_ENV": "defaults",
    "BackstageApiSource": "backstage_api",
    "CatalogSource": "base",
    "DEFAULT_EXCLUDE": "defaults",
    "DEFAULT_INCLUDE": "defaults",
    "DirectorySource": "directory",
    "FileReader": "file_reader",
    "GitSource": "git",
    "LocationSource": "location",
    "Origin": "base",
    "PreviousFile": "file_reader",
    "Problem": "base",
    "ScannedFile": "base",
    "SourcedEntity": "base",
    "content_hash": "file_reader",
    "redact_url": "git",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
