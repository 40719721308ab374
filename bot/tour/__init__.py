"""The steps of ``greenroom demo``, one module each; ``bot/demo.py`` lists them in order.

Every step receives the ``Tour``: the runtime on the example company, the terminal, the
local console (the real Slack app on a loopback Slack) and whatever earlier steps started
(loopback clusters, files written). A step prints what it did and counts what failed.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console as Terminal

from bot.console import Console, ConsoleAnswer
from runtime.process import Runtime

__all__ = ["Tour"]


@dataclass
class Tour:
    """What the demo's steps share."""

    runtime: Runtime
    out: Terminal
    err: Terminal
    folder: Path  # the example company's folder (greenroom.yaml's)
    resources: ExitStack = field(default_factory=ExitStack)
    console: Console | None = None
    guide: str | None = None  # the email the tour asks as
    failed: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # files the tour made, for the end

    @property
    def command(self) -> str:
        return self.runtime.settings.slack.command

    @property
    def output_dir(self) -> Path:
        """Where the tour writes files (charts): ``data_dir/demo``."""
        folder = self.runtime.settings.data_path / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def open_console(self) -> Console:
        """The local console, open until the tour ends (steps after this one may ask)."""
        if self.console is None:
            self.console = self.resources.enter_context(Console(self.runtime))
        return self.console

    def title(self, text: str) -> None:
        self.out.rule(text)

    def say(self, text: str) -> None:
        self.out.print(text, markup=False, highlight=False)

    def ask(self, question: str, *, home: bool = False) -> ConsoleAnswer:
        """Ask the real app as the guide, print the answer; a question left unanswered
        counts as a failure of the tour."""
        who = f" as {self.guide}" if self.guide else ""
        self.title(f"Home tab{who}" if home else f"{self.command} {question}{who}")
        text = "" if home else f"{self.command} {question}"
        answer = self.open_console().ask(text, email=self.guide, home=home)
        self.say(answer.text())
        if not answer.answered:
            self.failed.append(question or "Home tab")
        return answer

    def fail(self, step: str, why: str) -> None:
        self.failed.append(step)
        self.err.print(f"[red]{step}[/red]: {why}", markup=True, highlight=False)

    def close(self) -> None:
        self.resources.close()
