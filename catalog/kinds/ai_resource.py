"""AiResource: context for AI coding tools (skills, rules), the kind of Backstage's official
``catalog-backend-module-ai-model``, with the relations its model layer declares.

Every type: ``spec.owner`` -> ownedBy (Group by default; User allowed) and ``spec.system`` ->
partOf (System). Skills also: ``spec.dependsOn`` -> dependsOn, where a bare name means an
AiResource. Backstage emits the reverse of each (ownerOf, hasPart, dependencyOf).
"""

from __future__ import annotations

from typing import Any

from catalog.kinds._base import KindSchema, NonEmptyStr, RefField, SpecModel
from catalog.relations import DEPENDS_ON, OWNED_BY, PART_OF


class AiResourceSpec(SpecModel):
    """``spec`` of any AiResource."""

    type: NonEmptyStr
    lifecycle: NonEmptyStr
    owner: NonEmptyStr
    system: NonEmptyStr | None = None


class SkillSpec(AiResourceSpec):
    """``spec`` of a skill: reusable knowledge an AI tool loads."""

    disciplines: list[NonEmptyStr] = []
    categories: list[NonEmptyStr] = []
    agents: list[NonEmptyStr] = []
    dependsOn: list[NonEmptyStr] = []


class RuleSpec(AiResourceSpec):
    """``spec`` of a rule: a constraint AI tools must follow, with its reason."""

    disciplines: list[NonEmptyStr] = []
    category: NonEmptyStr
    rationale: NonEmptyStr


_COMMON = (RefField("owner", OWNED_BY, "group"), RefField("system", PART_OF, "system"))
_SKILL = (*_COMMON, RefField("dependsOn", DEPENDS_ON, "airesource", many=True))


def pick_ai_resource_spec(spec: dict[str, Any]) -> type[SpecModel]:
    """Backstage's per-type schemas: skills and rules have their own fields."""
    by_type: dict[str, type[SpecModel]] = {"skill": SkillSpec, "rule": RuleSpec}
    return by_type.get(str(spec.get("type")), AiResourceSpec)


def pick_ai_resource_refs(spec: dict[str, Any]) -> tuple[RefField, ...]:
    """Only skills declare ``dependsOn`` (as the module's model layer does)."""
    return _SKILL if spec.get("type") == "skill" else _COMMON


AI_RESOURCE = KindSchema(
    kind="AiResource",
    api_versions=frozenset({"backstage.io/v1alpha1"}),
    spec=AiResourceSpec,
    refs=_COMMON,
    pick_spec=pick_ai_resource_spec,
    pick_refs=pick_ai_resource_refs,
)
