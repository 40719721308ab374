"""The umbrella command's subcommands: ``/greenroom <name> <text>`` (and ``@greenroom <name> ...``).

A capability adds its subcommand in its ``register(app, deps)``::

    deps.router.add(
        "owner",
        answer_owner,                       # (Ask) -> Reply | None
        summary="Who owns an entity, and how to reach them",
        usage="owner <entity>",
        examples=("owner {component}",),    # {component} etc. are filled from the catalog
    )

The handler runs after Slack has been acked, on a listener thread, with the caller already
resolved. It returns a :class:`~slackkit.replies.Reply` (the framework pages it, adds the buttons
and sends it) or None when it answered by itself (e.g. opened a modal with
``ask.client.views_open(trigger_id=ask.trigger_id, ...)``). It raises GreenroomError
subclasses for anything the user should read; EntityNotFound and AmbiguousEntity become "did
you mean" buttons.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from slackkit.grammar import Options, parse_options, split_words
from slackkit.replies import Reply

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from slackkit.modals import ModalView
    from slackkit.users import Caller

__all__ = ["PLACEHOLDERS", "Ask", "Handler", "Subcommand", "SubcommandRouter"]

#: Placeholders an example may use; help fills each with a real entity of that kind.
PLACEHOLDERS = ("component", "api", "system", "domain", "resource", "group", "user")
Via = Literal["command", "mention", "button", "console"]


@dataclass(frozen=True)
class Ask:
    """One question to one subcommand: what was typed after its name, and who asked."""

    name: str
    text: str
    caller: Caller
    client: WebClient
    channel_id: str | None = None
    trigger_id: str | None = None
    page: int = 0
    via: Via = "command"
    modal: ModalView | None = None
    #: the thread a mention was in (post follow-ups such as files there)
    thread_ts: str | None = None

    @property
    def command(self) -> str:
        """The subcommand as typed (name and text), e.g. ``deps checkout --reverse``."""
        return f"{self.name} {self.text}".strip()

    @property
    def words(self) -> list[str]:
        """The text split into words, quotes honoured."""
        return split_words(self.text)

    def options(self, *, flags: Collection[str] = (), values: Collection[str] = ()) -> Options:
        """The words parsed into positionals, ``--flags`` and ``--name value`` options."""
        return parse_options(self.words, flags=flags, values=values)


Handler = Callable[[Ask], Reply | None]


@dataclass(frozen=True)
class Subcommand:
    """A registered subcommand and its help text."""

    name: str
    handler: Handler
    summary: str
    usage: str
    examples: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    modal: str | None = None


class SubcommandRouter:
    """Subcommands by name (and alias), in the order they were added (the order of help)."""

    def __init__(self) -> None:
        self._commands: dict[str, Subcommand] = {}
        self._names: dict[str, str] = {}

    def add(
        self,
        name: str,
        handler: Handler,
        *,
        summary: str,
        usage: str,
        examples: Collection[str] = (),
        aliases: Collection[str] = (),
        modal: str | None = None,
    ) -> Subcommand:
        """Register a subcommand; a name or alias already taken is a bug and raises.

        ``modal`` (a title) marks a subcommand that opens a modal: the slash command gets a
        loading modal of that title opened at once, and the handler finds it in ``ask.modal``
        (see slackkit/modals.py)."""
        entry = Subcommand(
            name.lower(), handler, summary, usage, tuple(examples), tuple(aliases), modal
        )
        for key in (entry.name, *(a.lower() for a in entry.aliases)):
            if key in self._names:
                raise ValueError(f"subcommand {key!r} is already registered")
            if not key.isidentifier():
                raise ValueError(f"subcommand {key!r} must be one word")
        self._commands[entry.name] = entry
        for key in (entry.name, *(a.lower() for a in entry.aliases)):
            self._names[key] = entry.name
        return entry

    def get(self, name: str) -> Subcommand | None:
        """The subcommand called ``name`` (any case, aliases too), or None."""
        key = self._names.get(name.lower())
        return self._commands[key] if key else None

    def all(self) -> list[Subcommand]:
        """Every subcommand, in registration order."""
        return list(self._commands.values())

    def closest(self, name: str) -> list[str]:
        """Registered names close to a mistyped one."""
        return difflib.get_close_matches(name.lower(), list(self._names), n=3, cutoff=0.6)
