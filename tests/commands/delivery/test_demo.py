"""The demo's delivery step: the example company's payments-api against a seeded loopback
GitHub, asked through the real Slack app in the console."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console as Terminal

from bot.console import Console
from bot.loopback.github_api import FakeGitHub
from commands.delivery.demo import run_delivery_tour
from runtime.process import open_runtime


def test_the_delivery_tour_answers_every_question(examples_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "examples"
    shutil.copytree(examples_dir, copy, ignore=shutil.ignore_patterns(".greenroom"))
    runtime = open_runtime(copy / "greenroom.yaml")
    assert runtime.sync(trigger="test").exit_code == 0
    terminal = Terminal(record=True, width=200)

    failed = run_delivery_tour(runtime, terminal, email=None, github=FakeGitHub, console=Console)

    output = terminal.export_text()
    assert failed == 0, output
    assert "Pull requests: Payments API" in output and "#402 Try the new fraud model" in output
    assert "production is 2 commits behind `main`" in output
    assert "PR #412 Refund webhooks" in output and "Deployed to staging" in output
