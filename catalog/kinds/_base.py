from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

NonEmptyStr = Annotated[str, StringConstraints(min_length=1)]

BACKSTAGE_V1 = frozenset({"backstage.io/v1alpha1", "backstage.io/v1beta1"})


class SpecModel(BaseModel):
    """A kind's spec: the known fields are checked, the rest are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)


@dataclass(frozen=True, slots=True)
class RefField:
    """A spec field holding refs, the relation it emits, and the kind a bare name means."""

    field: str
    relation: str
    default_kind: str | None
    many: bool = False


@dataclass(frozen=True, slots=True)
class KindSchema:
    """Everything greenroom knows about one built-in kind."""

    kind: str
    api_versions: frozenset[str]
    spec: type[SpecModel]
    refs: tuple[RefField, ...] = ()
    pick_spec: Callable[[dict[str, Any]], type[SpecModel]] | None = None
    pick_refs: Callable[[dict[str, Any]], tuple[RefField, ...]] | None = None

    def spec_model(self, spec: dict[str, Any]) -> type[SpecModel]:
        """The model that validates this spec (some kinds vary by ``spec.type``)."""
        return self.pick_spec(spec) if self.pick_spec else self.spec

    def ref_fields(self, spec: dict[str, Any]) -> tuple[RefField, ...]:
        """The fields whose refs emit relations (some kinds vary by ``spec.type``)."""
        return self.pick_refs(spec) if self.pick_refs else self.refs
