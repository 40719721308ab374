from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

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
