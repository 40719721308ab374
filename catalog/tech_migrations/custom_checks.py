"""Custom checks: Python callables that packages register under the entry-point group
``greenroom.migration_checks``, for what YAML cannot say.

A custom check is ``def check(subject: CheckSubject) -> CheckOutcome | bool``: ``True`` passes,
``False`` fails with a generic reason, a ``CheckOutcome`` says its own reason. An exception it
raises becomes an ``error`` result naming the exception; it never stops the evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

from pydantic import Field

from catalog.tech_migrations.check_model import CheckModel
from catalog.tech_migrations.facts import EntityFacts
from catalog.tech_migrations.outcome import CheckOutcome, CheckSubject

__all__ = ["ENTRY_POINT_GROUP", "CustomCheck", "CustomCheckFunction", "CustomChecks"]

ENTRY_POINT_GROUP = "greenroom.migration_checks"

CustomCheckFunction = Callable[[CheckSubject], "CheckOutcome | bool"]


class CustomChecks:
    """The installed custom checks by name, each imported on first use."""

    def __init__(self, entries: Mapping[str, EntryPoint | CustomCheckFunction]) -> None:
        self._entries = dict(entries)
        self._loaded: dict[str, CustomCheckFunction] = {}

    @classmethod
    def installed(cls, group: str = ENTRY_POINT_GROUP) -> CustomChecks:
        """The checks every installed distribution registers in ``group``."""
        return cls({ep.name: ep for ep in entry_points(group=group)})

    def names(self) -> list[str]:
        return sorted(self._entries)

    def get(self, name: str) -> CustomCheckFunction:
        """The callable; LookupError when nothing registers ``name``, ImportError-like
        exceptions (as ValueError, with the cause) when it cannot be imported."""
        if name in self._loaded:
            return self._loaded[name]
        entry = self._entries.get(name)
        if entry is None:
            known = ", ".join(self.names()) or "none"
            raise LookupError(
                f"no custom check named {name!r} is installed (entry-point group "
                f"{ENTRY_POINT_GROUP}; installed: {known})"
            )
        if isinstance(entry, EntryPoint):
            try:
                loaded: Any = entry.load()
            except Exception as error:
                raise ValueError(
                    f"custom check {name!r} ({entry.value}) cannot be imported: "
                    f"{type(error).__name__}: {error}"
                ) from error
        else:
            loaded = entry
        if not callable(loaded):
            raise ValueError(f"custom check {name!r} is not callable")
        self._loaded[name] = loaded
        return self._loaded[name]


class CustomCheck(CheckModel):
    """A registered Python check, called with the entity, its folder and ``options``."""

    type: Literal["custom"]
    name: str = Field(min_length=1, max_length=200)
    options: dict[str, Any] = Field(default_factory=dict)

    def describe(self) -> str:
        return f"custom check {self.name}"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        try:
            function = facts.custom(self.name)
        except (LookupError, ValueError) as error:
            return CheckOutcome.errored(str(error))
        subject = CheckSubject(facts.stored, facts.folder(), dict(self.options))
        try:
            result = function(subject)
        except Exception as error:
            return CheckOutcome.errored(
                f"custom check {self.name} raised {type(error).__name__}: {error}"
            )
        if isinstance(result, CheckOutcome):
            return result
        if isinstance(result, bool):
            return CheckOutcome.passed() if result else CheckOutcome.failed(self.label + " failed")
        return CheckOutcome.errored(
            f"custom check {self.name} returned {type(result).__name__}; "
            "expected CheckOutcome or bool"
        )
