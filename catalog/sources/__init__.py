"""Where entities come from: folders, Location files, git repositories, Backstage's API."""

from __future__ import annotations

from catalog.sources._backstage_http import ADHOC_BACKSTAGE_TOKEN_ENV
from catalog.sources.backstage_api import BackstageApiSource
from catalog.sources.base import CatalogSource, Origin, Problem, ScannedFile, SourcedEntity
from catalog.sources.directory import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, DirectorySource
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
