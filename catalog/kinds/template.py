"""Template: a Backstage scaffolder template (stored and listed; greenroom runs cookiecutter)."""

from __future__ import annotations

from typing import Any

from catalog.kinds._base import KindSchema, NonEmptyStr, RefField, SpecModel
from catalog.relations import OWNED_BY


class TemplateSpec(SpecModel):
    """``spec`` of a v1beta3 Template."""

    type: NonEmptyStr
    steps: list[dict[str, Any]]
    parameters: dict[str, Any] | list[dict[str, Any]] | None = None
    output: dict[str, Any] | None = None
    owner: NonEmptyStr | None = None
    lifecycle: NonEmptyStr | None = None


TEMPLATE = KindSchema(
    kind="Template",
    api_versions=frozenset({"scaffolder.backstage.io/v1beta3", "backstage.io/v1beta2"}),
    spec=TemplateSpec,
    refs=(RefField("owner", OWNED_BY, "group"),),
)
