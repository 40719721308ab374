"""An entity's verdict in a migration, and the checks it did not pass."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.refs import EntityRef
from catalog.tech_migrations.outcome import CheckStatus

__all__ = ["CheckFailure", "EntityResult"]


@dataclass(frozen=True, slots=True)
class CheckFailure:
    """A check an entity did not pass: its label, ``fail`` or ``error``, and why in words."""

    check: str
    status: CheckStatus
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class EntityResult:
    """One entity's verdict: ``fail`` if any check failed, else ``error`` if any errored."""

    ref: EntityRef
    owner: EntityRef | None
    status: CheckStatus
    failures: tuple[CheckFailure, ...] = ()
