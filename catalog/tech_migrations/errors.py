"""Errors of tech migrations: a definition that cannot be used, an id nobody defined."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from catalog.errors import ConfigError, GreenroomError

__all__ = ["DefinitionProblem", "InvalidMigration", "MigrationNotFound", "UnknownLevel"]


@dataclass(frozen=True, slots=True)
class DefinitionProblem:
    """One thing wrong with a definition file: where, which migration, which field, what."""

    file: str
    message: str
    line: int | None = None
    migration: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        which = f' migration "{self.migration}":' if self.migration else ""
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{which}{field} {self.message}"


class InvalidMigration(ConfigError):
    """Migration definitions that cannot be used; lists every problem found."""

    def __init__(self, problems: Sequence[DefinitionProblem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{len(self.problems)} {noun} in migration definitions:\n{lines}")


class MigrationNotFound(GreenroomError):
    """No migration has this id; ``known`` lists the ids that exist."""

    def __init__(self, migration_id: str, known: Sequence[str]) -> None:
        self.migration_id = migration_id
        self.known = list(known)
        hint = f" Known: {', '.join(self.known)}." if self.known else " None are defined."
        super().__init__(f"No migration with id {migration_id!r}.{hint}")


class UnknownLevel(GreenroomError):
    """``--by`` named a level no group has; ``known`` lists the group types in the catalog."""

    def __init__(self, level: str, known: Sequence[str]) -> None:
        self.level = level
        self.known = list(known)
        hint = f" Group types in the catalog: {', '.join(self.known)}." if self.known else ""
        super().__init__(f"No groups at level {level!r}.{hint}")
