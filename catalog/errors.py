"""The one error tree of greenroom.

    GreenroomError                  anything a user may be shown (has ``user_message``)
    ├── CatalogError
    │   ├── EntityNotFound          with ``suggestions`` ("did you mean")
    │   ├── AmbiguousEntity         with ``candidates``
    │   ├── InvalidEntity           with file:line, field, expected, found
    │   │   └── KindNotAllowed      the source may not define this kind (refused, not kept)
    │   └── InvalidRef
    ├── SourceUnavailable           a catalog source could not be read at all
    ├── NotAuthorized
    └── ConfigError

``integrations/errors.py`` adds its leaves under ``GreenroomError``. Bugs raise built-in
exceptions and are never shown to users as if they were their fault.

``Interrupted`` stands apart (a ``SystemExit``): the process was asked to stop (SIGTERM), so
work in progress unwinds (transactions roll back, runs are recorded as interrupted), no
``except Exception`` mistakes it for a failure to report, and the database driver cancels
the statement it was waiting on (psycopg does so for ``SystemExit`` and Ctrl-C).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AmbiguousEntity",
    "CatalogError",
    "ConfigError",
    "EntityNotFound",
    "GreenroomError",
    "Interrupted",
    "InvalidEntity",
    "InvalidRef",
    "KindNotAllowed",
    "NotAuthorized",
    "SourceUnavailable",
    "raise_interrupted",
]


class Interrupted(SystemExit):
    """The process was asked to stop (``reason``: by which signal); it exits with ``code``
    (143: 128 + SIGTERM, what a shell reports) once the work in progress has unwound."""

    def __init__(self, reason: str, code: int = 143) -> None:
        super().__init__(code)
        self.reason = reason


def raise_interrupted(signum: int, _frame: object) -> None:
    """A signal handler: SIGTERM (or another) raises ``Interrupted`` where the process is."""
    import signal

    raise Interrupted(f"{signal.Signals(signum).name} received: the process was asked to stop")


class GreenroomError(Exception):
    """Base of every error whose message is fit to show a user."""

    @property
    def user_message(self) -> str:
        return str(self)


class CatalogError(GreenroomError):
    """Something about catalog content or a catalog query."""


class EntityNotFound(CatalogError):
    """No entity matches what the user typed; ``suggestions`` are refs that come close."""

    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = list(suggestions)
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"No entity named {query!r} in the catalog.{hint}")


class AmbiguousEntity(CatalogError):
    """A bare name matches several entities; ``candidates`` are their refs."""

    def __init__(self, query: str, candidates: Sequence[str]) -> None:
        self.query = query
        self.candidates = list(candidates)
        super().__init__(f"{query!r} could mean {', '.join(self.candidates)}; give the kind.")


class InvalidEntity(CatalogError):
    """An entity document breaks a rule; says where, which field, what was expected and found."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        expected: str | None = None,
        found: object = None,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.field = field
        self.expected = expected
        self.found = found
        self.file = file
        self.line = line
        super().__init__(message)

    def at(self, file: str | None, line: int | None) -> InvalidEntity:
        """The same error, located in a file."""
        return InvalidEntity(
            self.message,
            field=self.field,
            expected=self.expected,
            found=self.found,
            file=file,
            line=line,
        )

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        where = where or (f"{self.file}: " if self.file else "")
        return f"{where}{self.message}"


class KindNotAllowed(InvalidEntity):
    """The entity's source may not define its kind (catalog rules); unlike other invalid
    entities, no earlier version of it is kept."""


class InvalidRef(CatalogError):
    """A string is not a valid entity reference."""


class SourceUnavailable(GreenroomError):
    """A catalog source could not be read at all; its entities are kept as they were."""


class NotAuthorized(GreenroomError):
    """The caller may not do this."""


class ConfigError(GreenroomError):
    """greenroom.yaml or the environment is wrong; the message says what to fix."""
