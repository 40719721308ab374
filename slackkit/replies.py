"""What a subcommand answers (:class:`Reply`), and how one page of it becomes a Slack message.

A reply is data: blocks shown on every page, then ``lines`` (escaped mrkdwn, one entity per
line) that this module pages to fit Block Kit (50 blocks, 3000 characters a section). Buttons
carry their state in their value (:class:`ReplyState`: the subcommand text and a page), so
"Show more", "Share in channel" and "did you mean" just run a subcommand again; no server-side
session is needed and any web replica can answer the click.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, overload

from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.grammar import UsageError

__all__ = [
    "PAGE_ACTION",
    "RUN_ACTION",
    "SHARE_ACTION",
    "LazyLines",
    "Reply",
    "ReplyState",
    "render_reply",
]

PAGE_ACTION = "greenroom.page"
SHARE_ACTION = "greenroom.share"
RUN_ACTION = "greenroom.run"
_STATE_LIMIT = 1900


class LazyLines(Sequence[str]):
    """Lines made when they are read: a reply that lists thousands of things (the teams of a
    blast radius) formats only the page it sends. Each line is a function without arguments
    that formats it, and must do nothing else (no I/O, no errors to report)."""

    def __init__(self, makers: Sequence[Callable[[], str]]) -> None:
        self._makers = makers

    def __len__(self) -> int:
        return len(self._makers)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(make() for make in self._makers[index])
        return self._makers[index]()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(
                a == b for a, b in zip(self, other, strict=False)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Reply:
    """An answer: ``text`` is plain (the notification), ``blocks`` head every page, ``lines``
    are escaped mrkdwn lines paged by the framework (a tuple, or :class:`LazyLines`),
    ``footer`` closes every page."""

    text: str
    blocks: tuple[Block, ...] = ()
    lines: Sequence[str] = ()
    footer: tuple[Block, ...] = ()
    shareable: bool = True

    @classmethod
    def simple(cls, text: str, *, shareable: bool = False) -> Reply:
        """A one-section reply of plain ``text`` (escaped here)."""
        return cls(text, (bk.section(bk.escape(text)),), shareable=shareable)


@dataclass(frozen=True)
class ReplyState:
    """What a button remembers: the subcommand text to run again, and which page to show."""

    command: str
    page: int = 0

    def encode(self) -> str | None:
        """The button value, or None when the command is too long to carry."""
        value = json.dumps({"c": self.command, "p": self.page}, separators=(",", ":"))
        return value if len(value) <= _STATE_LIMIT else None

    @classmethod
    def decode(cls, value: str | None) -> ReplyState:
        """The state in a button value; UsageError for anything else."""
        try:
            data = json.loads(value or "")
            command, page = data["c"], data.get("p", 0)
        except (ValueError, TypeError, KeyError):
            raise UsageError("That button is from an older version; ask again.") from None
        if not isinstance(command, str) or not isinstance(page, int) or page < 0:
            raise UsageError("That button is from an older version; ask again.")
        return cls(command, page)


def render_reply(
    reply: Reply,
    state: ReplyState,
    *,
    page_size: int,
    notes: Sequence[str] = (),
    shared_by: str | None = None,
) -> dict[str, Any]:
    """One page of ``reply`` as a message payload (``text`` + ``blocks``) within Slack's limits.

    ``notes`` are escaped mrkdwn context lines (e.g. "you are not mapped"); ``shared_by`` is
    the Slack user id that shared the message into the channel (no buttons then).
    """
    pages = max(1, -(-len(reply.lines) // page_size))
    page = min(state.page, pages - 1)
    shown = reply.lines[page * page_size : (page + 1) * page_size]
    body: list[Block] = [*reply.blocks]
    body.extend(bk.section(chunk) for chunk in bk.pack_lines(shown))
    if pages > 1:
        first = page * page_size + 1
        body.append(bk.context(f"Showing {first}-{first + len(shown) - 1} of {len(reply.lines)}"))
    body.extend(reply.footer)
    tail: list[Block] = [bk.context(note) for note in notes]
    if shared_by:
        tail.append(bk.context(f"Shared by {bk.mention(shared_by)}"))
    else:
        buttons = _buttons(reply, state, page, pages)
        if buttons:
            tail.append(bk.actions(buttons, block_id="greenroom.reply"))
    room = bk.MAX_MESSAGE_BLOCKS - len(tail)
    if len(body) > room:
        body = [*body[: room - 1], bk.context("… cut to fit one Slack message")]
    return {"text": bk.truncate(bk.escape(reply.text), 3000), "blocks": [*body, *tail]}


def _buttons(reply: Reply, state: ReplyState, page: int, pages: int) -> list[Block]:
    buttons: list[Block] = []
    if page + 1 < pages:
        value = ReplyState(state.command, page + 1).encode()
        if value:
            buttons.append(bk.button("Show more", PAGE_ACTION, value))
    if reply.shareable:
        value = ReplyState(state.command, page).encode()
        if value:
            buttons.append(bk.button("Share in channel", SHARE_ACTION, value))
    return buttons
