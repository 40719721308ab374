"""Tour steps: sync the example company, build its docs, and choose whom the tour asks as."""

from __future__ import annotations

from bot.cli.docs_view import DocsProgressBar, print_docs_summary
from bot.cli.sync_view import print_sync_report
from bot.tour import Tour
from catalog import GreenroomError
from catalog.lookup import find_entity
from catalog.ownership import owner_of
from integrations.techdocs import build_all_docs

__all__ = ["build_docs", "choose_guide", "sync_company"]


def sync_company(tour: Tour) -> bool:
    """Read the example company into the database; False when nothing could be read."""
    tour.title("greenroom demo: syncing the example company (Globex Commerce)")
    report = tour.runtime.sync(trigger="demo")
    print_sync_report(tour.out, report)
    return report.exit_code == 0


def build_docs(tour: Tour) -> None:
    """Every docs site; unchanged sites are skipped, so a second demo takes a fraction of a
    second here. A failed site is reported and the tour goes on."""
    tour.title("greenroom demo: building the example company's docs")
    with DocsProgressBar(tour.err) as progress:
        report = build_all_docs(
            tour.runtime.catalog,
            tour.runtime.settings.techdocs,
            progress=progress,
            repositories=tour.runtime.repository_cache,
        )
    print_docs_summary(tour.out, report)


def choose_guide(tour: Tour) -> None:
    """The tour asks as someone on the team that owns payments-api."""
    catalog = tour.runtime.catalog
    try:
        team = owner_of(catalog, find_entity(catalog, "payments-api")).team
    except GreenroomError:
        return
    if team is not None:
        tour.guide = next((m.email for m in team.members if m.email), None)
