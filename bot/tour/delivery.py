"""Tour step: pull requests, deployments and following one change, against a loopback GitHub
seeded with payments-api's history (commands/delivery/demo.py)."""

from __future__ import annotations

from bot.console import Console
from bot.loopback.github_api import FakeGitHub
from bot.tour import Tour
from commands.delivery.demo import run_delivery_tour

__all__ = ["ask_about_delivery"]


def ask_about_delivery(tour: Tour) -> None:
    failed = run_delivery_tour(
        tour.runtime, tour.out, email=tour.guide, github=FakeGitHub, console=Console
    )
    if failed:
        tour.fail("delivery", f"{failed} of its questions went unanswered")
