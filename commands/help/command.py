"""``help`` (also the answer to empty or unknown input): every subcommand, with examples that
name real entities of this catalog."""

from __future__ import annotations

import threading

from slack_bolt import App

from catalog import Catalog
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.deps import Deps
from slackkit.replies import Reply
from slackkit.router import PLACEHOLDERS, Ask

__all__ = ["register"]


def register(app: App, deps: Deps) -> None:
    """Add the ``help`` subcommand."""
    names = _ExampleNames(deps.catalog)

    def answer_help(ask: Ask) -> Reply:
        command = deps.settings.slack.command
        filled = names.get()
        blocks: list[Block] = [
            bk.header(f"What {deps.settings.slack.app_name} can answer"),
            bk.context(
                f"Type {bk.code(command + ' <question>')} anywhere, or mention me in a channel. "
                "Entities can be named as `kind:name`, `namespace/name` or just the name."
            ),
        ]
        for sub in deps.router.all():
            examples = [e for e in (_fill(x, filled) for x in sub.examples) if e is not None]
            shown = "  ".join(bk.code(f"{command} {e}") for e in examples[:3])
            blocks.append(
                bk.section(
                    f"*{bk.escape(sub.name)}* — {bk.escape(sub.summary)}\n"
                    f"{shown or bk.code(command + ' ' + sub.usage)}"
                )
            )
        return Reply(
            "What I can answer", tuple(blocks[: bk.MAX_MESSAGE_BLOCKS - 3]), shareable=False
        )

    deps.router.add(
        "help",
        answer_help,
        summary="This list",
        usage="help",
        aliases=("hi", "hello", "commands"),
    )


def _fill(example: str, names: dict[str, str]) -> str | None:
    try:
        return example.format_map(names)
    except (KeyError, ValueError, IndexError):
        return None


class _ExampleNames:
    """One real entity name per placeholder kind, recomputed when the catalog changes."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._cached: tuple[int, dict[str, str]] | None = None
        self._lock = threading.Lock()

    def get(self) -> dict[str, str]:
        generation = self.catalog.generation()
        with self._lock:
            if self._cached is not None and self._cached[0] == generation:
                return self._cached[1]
        found: dict[str, str] = {}
        for kind in PLACEHOLDERS:
            first = next(iter(self.catalog.entities(kinds=[kind], limit=1)), None)
            if first is not None:
                found[kind] = first.ref.name
        with self._lock:
            self._cached = (generation, found)
        return found
