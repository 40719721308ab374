"""``greenroom demo``: the bundled example company synced into SQLite, then a tour of what
greenroom does, through the real Slack app on a loopback Slack, then how to connect a real
workspace.

The tour is the list of steps below, one line each; every step lives in its own module
(``bot/tour/``, or the capability's folder), so adding one is adding one line here.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console as Terminal

from bot.tour import Tour
from bot.tour.actions import restart_a_service
from bot.tour.catalog import build_docs, choose_guide, sync_company
from bot.tour.delivery import ask_about_delivery
from bot.tour.kpis import ask_about_kpis, collect_kpi_history
from bot.tour.kubernetes import serve_clusters, sweep_clusters
from bot.tour.migrations import evaluate_migrations
from bot.tour.pipelines import ask_about_pipelines
from bot.tour.questions import ask_questions, connect_a_workspace, open_home
from bot.tour.scaffold import scaffold_service
from bot.tour.worker import post_digest
from runtime.process import open_runtime

__all__ = ["run_demo"]


def run_demo(out: Terminal, err: Terminal, config: Path) -> int:
    """Sync the example company (``config``: its greenroom.yaml, see bot/demo_company.py)
    and take the tour; returns the exit code (1 when a step failed)."""
    tour = Tour(open_runtime(config), out, err, folder=config.parent)
    try:
        if not sync_company(tour):
            return 1
        build_docs(tour)
        choose_guide(tour)
        serve_clusters(tour)
        collect_kpi_history(tour)
        ask_questions(tour)
        ask_about_kpis(tour)
        ask_about_delivery(tour)
        ask_about_pipelines(tour)
        tour.ask("k8s payments-api")
        tour.ask("k8s refunds-worker")
        sweep_clusters(tour)
        restart_a_service(tour)
        evaluate_migrations(tour)
        scaffold_service(tour)
        post_digest(tour)
        open_home(tour)
        connect_a_workspace(tour)
    finally:
        tour.close()
    if tour.failed:
        err.print(f"[red]The tour had problems:[/red] {', '.join(tour.failed)}", markup=True)
    return 1 if tour.failed else 0
