"""The vocabulary of health findings: a severity, and a finding about one object."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from integrations.kubernetes.resources import ObjectRef

__all__ = ["Finding", "ImageChange", "Severity", "sort_findings"]


class Severity(StrEnum):
    """``critical`` fails the service's badge, ``warning`` degrades it, ``info`` is a heads-up."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"critical": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, slots=True)
class ImageChange:
    """A crash loop that began with a Deployment's current revision, which changed the image:
    what ``kubectl rollout undo`` would go back to."""

    revision: int
    images: tuple[str, ...]
    previous_revision: int
    previous_images: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImageChange:
        return cls(
            int(data["revision"]),
            tuple(data["images"]),
            int(data["previous_revision"]),
            tuple(data["previous_images"]),
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: how bad, which object, what it means, what to do."""

    rule: str
    severity: Severity
    object: ObjectRef
    title: str
    explanation: str
    fix: str
    detail: str = ""  # tells two findings of one rule on one object apart (container, reason)
    pods: tuple[str, ...] = ()
    pod_count: int = 0
    #: set on a Deployment's crash loop when its pods all run the current revision and that
    #: revision changed the image: rolling back is then the likely fix (else: restart)
    new_image: ImageChange | None = None

    @property
    def key(self) -> str:
        """Stable identity across checks, for "new" and "resolved"."""
        return "|".join((self.rule, str(self.object), self.detail))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        values = dict(data)
        values["severity"] = Severity(values["severity"])
        values["object"] = ObjectRef(**values["object"])
        values["pods"] = tuple(values.get("pods") or ())
        change = values.get("new_image")
        values["new_image"] = ImageChange.from_json(change) if change else None
        return cls(**values)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Worst first, then by object."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.object, f.rule, f.detail))
