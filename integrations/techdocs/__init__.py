"""TechDocs: build every entity's mkdocs site safely, serve it, link to it, search it.

No Slack here: the functions return dataclasses that ``commands/`` renders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from integrations.techdocs.batch import (
        DocsBuildProgress as DocsBuildProgress,
        DocsBuildReport as DocsBuildReport,
        build_all_docs as build_all_docs,
    )
    from integrations.techdocs.builder import (
        BuildOutcome as BuildOutcome,
    )
    from integrations.techdocs.coverage import (
        CoverageStatus as CoverageStatus,
        DocsCoverage as DocsCoverage,
        DocsCoverageItem as DocsCoverageItem,
        docs_coverage as docs_coverage,
        owner_coverage as owner_coverage,
    )
    from integrations.techdocs.docs_host import (
        DocsHostSplit as DocsHostSplit,
        docs_host_app as docs_host_app,
        redirect_to_docs_host as redirect_to_docs_host,
    )
    from integrations.techdocs.links import (
        DocsLinks as DocsLinks,
    )
    from integrations.techdocs.overview import (
        DocsLink as DocsLink,
        DocsOverview as DocsOverview,
        docs_overview as docs_overview,
    )
    from integrations.techdocs.records import (
        DocsBuild as DocsBuild,
        NavItem as NavItem,
        docs_generation as docs_generation,
        load_builds as load_builds,
    )
    from integrations.techdocs.search import (
        DocsSearchHit as DocsSearchHit,
        search_docs as search_docs,
        warm_search_index as warm_search_index,
    )
    from integrations.techdocs.server import (
        create_docs_app as create_docs_app,
    )
    from integrations.techdocs.settings import (
        TechDocsSettings as TechDocsSettings,
    )
    from integrations.techdocs.source import (
        TECHDOCS_REF as TECHDOCS_REF,
    )
    from integrations.techdocs.unfurl import (
        DocsUnfurl as DocsUnfurl,
        unfurl_docs_url as unfurl_docs_url,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
