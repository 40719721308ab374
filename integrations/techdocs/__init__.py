"""TechDocs: build every entity's mkdocs site safely, serve it, link to it, search it.

No Slack here: the functions return dataclasses that ``commands/`` renders.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from integrations.techdocs.batch import DocsBuildProgress, DocsBuildReport, build_all_docs
    from integrations.techdocs.builder import BuildOutcome
    from integrations.techdocs.coverage import (
        CoverageStatus,
        DocsCoverage,
        DocsCoverageItem,
        docs_coverage,
        owner_coverage,
    )
    from integrations.techdocs.docs_host import DocsHostSplit, docs_host_app, redirect_to_docs_host
    from integrations.techdocs.links import DocsLinks
    from integrations.techdocs.overview import DocsLink, DocsOverview, docs_overview
    from integrations.techdocs.records import DocsBuild, NavItem, docs_generation, load_builds
    from integrations.techdocs.search import DocsSearchHit, search_docs, warm_search_index
    from integrations.techdocs.server import create_docs_app
    from integrations.techdocs.settings import TechDocsSettings
    from integrations.techdocs.source import TECHDOCS_REF
    from integrations.techdocs.unfurl import DocsUnfurl, unfurl_docs_url

__all__ = [
    "TECHDOCS_REF",
    "BuildOutcome",
    "CoverageStatus",
    "DocsBuild",
    "DocsBuildProgress",
    "DocsBuildReport",
    "DocsCoverage",
    "DocsCoverageItem",
    "DocsHostSplit",
    "DocsLink",
    "DocsLinks",
    "DocsOverview",
    "DocsSearchHit",
    "DocsUnfurl",
    "NavItem",
    "TechDocsSettings",
    "build_all_docs",
    "create_docs_app",
    "docs_coverage",
    "docs_generation",
    "docs_host_app",
    "docs_overview",
    "load_builds",
    "owner_coverage",
    "redirect_to_docs_host",
    "search_docs",
    "unfurl_docs_url",
    "warm_search_index",
]


# Submodules are imported on first use: a command that needs one thing of this package
# does not pay for all of it (see bot/cli/main.py).
_MODULES = {
    "BuildOutcome": "builder",
    "CoverageStatus": "coverage",
    "DocsBuild": "records",
    "DocsBuildProgress": "batch",
    "DocsBuildReport": "batch",
    "DocsCoverage": "coverage",
    "DocsCoverageItem": "coverage",
    "DocsHostSplit": "docs_host",
    "DocsLink": "overview",
    "DocsLinks": "links",
    "DocsOverview": "overview",
    "DocsSearchHit": "search",
    "DocsUnfurl": "unfurl",
    "NavItem": "records",
    "TECHDOCS_REF": "source",
    "TechDocsSettings": "settings",
    "build_all_docs": "batch",
    "create_docs_app": "server",
    "docs_coverage": "coverage",
    "docs_generation": "records",
    "docs_host_app": "docs_host",
    "docs_overview": "overview",
    "load_builds": "records",
    "owner_coverage": "coverage",
    "redirect_to_docs_host": "docs_host",
    "search_docs": "search",
    "unfurl_docs_url": "unfurl",
    "warm_search_index": "search",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
