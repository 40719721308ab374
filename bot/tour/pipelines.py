"""Tour step: a data pipeline's health and a dataset's lineage, against loopback Airflow and
Marquez serving the example company's pipelines (commands/pipelines/demo.py)."""

from __future__ import annotations

from bot.console import Console
from bot.loopback.pipelines_demo import demo_engines
from bot.tour import Tour
from commands.pipelines.demo import pipelines_tour

__all__ = ["ask_about_pipelines"]


def ask_about_pipelines(tour: Tour) -> None:
    failed = pipelines_tour(
        tour.runtime, tour.out, engines=demo_engines, console=Console, email=tour.guide
    )
    if failed:
        tour.fail("pipelines", f"{failed} of its questions went unanswered")
