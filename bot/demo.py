"""``greenroom demo``: the bundled example company, synced into SQLite, then a short tour."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from bot.runtime import open_runtime
from bot.sync_view import print_sync_report
from catalog.graph import blast_radius, dependencies
from catalog.lookup import find_entity
from catalog.ownership import owner_of
from catalog.search import search_entities

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_demo(out: Console, err: Console) -> int:
    """Sync the example company and answer a few questions; returns the exit code."""
    runtime = open_runtime(EXAMPLES / "greenroom.yaml")
    out.rule("greenroom demo: syncing the example company (Globex Commerce)")
    report = runtime.sync(trigger="demo")
    print_sync_report(out, report)
    cat = runtime.catalog
    out.rule("Who owns payments-api?")
    answer = owner_of(cat, find_entity(cat, "payments-api"))
    if answer.team:
        out.print(
            f"{answer.team.display_name}: " + ", ".join(m.display_name for m in answer.team.members)
        )
    out.rule("What does checkout depend on (3 levels)?")
    for node in dependencies(cat, find_entity(cat, "checkout").ref, depth=3):
        out.print(f"{'  ' * node.depth}{node.summary.ref.short} ({node.relation})")
    out.rule("If payments-api breaks, whom do we tell?")
    for owner, refs in blast_radius(cat, find_entity(cat, "payments-api").ref).owners:
        out.print(f"{owner.display_name}: " + ", ".join(r.short for r in refs))
    out.rule("Search: refund")
    for hit in search_entities(cat, "refund", limit=5):
        out.print(f"{hit.summary.ref.short}  {hit.summary.description or ''}")
    return report.exit_code
