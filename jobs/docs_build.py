"""The worker's ``docs.build`` job: rebuild the TechDocs sites whose sources changed.

It runs after every catalog sync, changed or not: docs live in the repositories, so a sync
that changed no entity may still have pulled new Markdown, and sites whose sources did not
change are skipped by fingerprint (a tenth of a second for the example company's 21 sites).
A site that fails to build is not a failed job: the reason is recorded on the entity (shown by
``/greenroom docs`` and the Home tab) and the last good site stays served.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.runtime import Runtime
from integrations.techdocs import build_all_docs

__all__ = ["rebuild_docs"]

log = logging.getLogger(__name__)
_LISTED = 50


def rebuild_docs(
    runtime: Runtime, *, force: bool = False, logger: logging.Logger = log
) -> dict[str, Any]:
    """Build every entity's docs that changed; a small JSON summary for the job's record."""
    report = build_all_docs(
        runtime.catalog,
        runtime.settings.techdocs,
        force=force,
        repositories=runtime.repository_cache,
    )
    for outcome in report.having("failed"):
        logger.warning("docs of %s did not build: %s", outcome.ref.short, outcome.reason)
    return {
        "built": len(report.having("built")),
        "unchanged": len(report.having("unchanged")),
        "failed": [o.ref.short for o in report.having("failed")][:_LISTED],
        "unavailable": [o.ref.short for o in report.having("unavailable")][:_LISTED],
        "removed": [ref.short for ref in report.removed][:_LISTED],
        "seconds": round(report.seconds, 2),
    }
