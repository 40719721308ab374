"""TechDocs: build every entity's mkdocs site safely, serve it, link to it, search it.

No Slack here: the functions return dataclasses that ``commands/`` renders.
"""

from __future__ import annotations

from integrations.techdocs.batch import DocsBuildProgress, DocsBuildReport, build_all_docs
from integrations.techdocs.builder import BuildOutcome
from integrations.techdocs.links import DocsLinks
from integrations.techdocs.records import DocsBuild, NavItem, docs_generation, load_builds
from integrations.techdocs.settings import TechDocsSettings
from integrations.techdocs.source import TECHDOCS_REF

__all__ = [
    "TECHDOCS_REF",
    "BuildOutcome",
    "DocsBuild",
    "DocsBuildProgress",
    "DocsBuildReport",
    "DocsLinks",
    "NavItem",
    "TechDocsSettings",
    "build_all_docs",
    "docs_generation",
    "load_builds",
]
