"""``docs.build``: rebuild the TechDocs sites whose sources changed, after every catalog sync.

It runs after every sync, changed or not: docs live in the repositories, so a sync that changed
no entity may still have pulled new Markdown, and sites whose sources did not change are
skipped by fingerprint (a tenth of a second for the example company's 21 sites). A site that
fails to build does not fail the job: the reason is recorded on the entity (``/greenroom docs``,
the Home tab) and the last good site stays served. ``params["force"]`` rebuilds everything.
"""

from __future__ import annotations

from datetime import timedelta

from integrations.techdocs import build_all_docs
from jobs.context import JobContext, JobResult
from jobs.registry import JobKind, JobRegistry

__all__ = ["DOCS_BUILD", "register_jobs", "run_docs_build"]

DOCS_BUILD = "docs.build"
_LISTED = 50


def run_docs_build(ctx: JobContext) -> JobResult:
    """Build every entity's docs that changed; a small summary for the run's record."""
    runtime = ctx.runtime
    report = build_all_docs(
        runtime.catalog,
        runtime.settings.techdocs,
        force=bool(ctx.params.get("force")),
        repositories=runtime.repository_cache,
    )
    for outcome in report.having("failed"):
        ctx.logger.warning("docs of %s did not build: %s", outcome.ref.short, outcome.reason)
    return {
        "built": len(report.having("built")),
        "unchanged": len(report.having("unchanged")),
        "failed": [o.ref.short for o in report.having("failed")][:_LISTED],
        "unavailable": [o.ref.short for o in report.having("unavailable")][:_LISTED],
        "removed": [ref.short for ref in report.removed][:_LISTED],
        "seconds": round(report.seconds, 2),
    }


def register_jobs(registry: JobRegistry) -> None:
    """Add this capability's job kinds to the worker's registry."""
    registry.add(
        JobKind(
            DOCS_BUILD,
            run_docs_build,
            timeout=timedelta(minutes=30),
            description="Rebuild the TechDocs sites whose sources changed",
        )
    )
    registry.after_sync(DOCS_BUILD, only_if_changed=False)
