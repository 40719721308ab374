"""The shape every check shares: an optional title, a label for reasons, and ``run``."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from catalog.tech_migrations.facts import EntityFacts
from catalog.tech_migrations.outcome import CheckOutcome
from catalog.tech_migrations.patterns import compile_pattern

__all__ = ["CheckModel", "Pattern", "quote"]


def _valid_pattern(value: str) -> str:
    compile_pattern(value)
    return value


#: A regular expression from a definition, checked when the definition loads.
Pattern = Annotated[str, Field(min_length=1), AfterValidator(_valid_pattern)]


class CheckModel(BaseModel):
    """A check from a definition; ``title`` names it in reasons (a default label otherwise)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = Field(default=None, max_length=200)

    @property
    def label(self) -> str:
        """How reasons name this check."""
        return self.title or self.describe()

    def describe(self) -> str:
        """A default label built from the check's fields."""
        raise NotImplementedError

    def run(self, facts: EntityFacts) -> CheckOutcome:
        """Pass, fail or error for one entity."""
        raise NotImplementedError


def quote(value: object, limit: int = 60) -> str:
    """A value for a reason: strings in quotes, long ones shortened."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"' if isinstance(value, str) else text
