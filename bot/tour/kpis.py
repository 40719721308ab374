"""Tour steps: team KPIs collected from loopback PagerDuty, OpenCost and GitHub, then asked
about (``kpis``, ``oncall``); the Home tab later shows them too."""

from __future__ import annotations

from bot.kpis_demo import DEMO_QUESTIONS, start_kpi_demo
from bot.tour import Tour

__all__ = ["ask_about_kpis", "collect_kpis"]


def collect_kpis(tour: Tour) -> None:
    """Before the console opens: the app is built from the runtime this step points at the
    loopback KPI sources."""
    tour.runtime = start_kpi_demo(tour.runtime, tour.out)


def ask_about_kpis(tour: Tour) -> None:
    for question in DEMO_QUESTIONS:
        tour.ask(question)
