"""What a check says about one entity, and what a custom check is handed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from catalog.store import StoredEntity

__all__ = ["CheckOutcome", "CheckStatus", "CheckSubject"]

CheckStatus = Literal["pass", "fail", "error"]


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """``pass``, ``fail`` (the entity is not done) or ``error`` (we could not tell), and why."""

    status: CheckStatus
    reason: str = ""

    @classmethod
    def passed(cls) -> CheckOutcome:
        return _PASSED

    @classmethod
    def failed(cls, reason: str) -> CheckOutcome:
        return cls("fail", reason)

    @classmethod
    def errored(cls, reason: str) -> CheckOutcome:
        return cls("error", reason)


_PASSED = CheckOutcome("pass")


@dataclass(frozen=True, slots=True)
class CheckSubject:
    """What a custom check receives: the entity, its repository folder and the check's options.

    ``repository`` is None when the entity's files are not on this machine (API-synced).
    """

    entity: StoredEntity
    repository: Path | None
    options: Mapping[str, Any] = field(default_factory=dict)
