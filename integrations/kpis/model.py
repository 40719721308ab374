"""What KPI code passes around: the entities a source is asked about, the values and gaps it
answers with, and what each KPI means (its unit, which way is good, how it adds up)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

from catalog.refs import EntityRef

__all__ = [
    "BUILT_IN_KPIS",
    "FAMILIES",
    "KpiEntity",
    "KpiSource",
    "KpiSpec",
    "KpiValue",
    "SourceReport",
]

Better = Literal["lower", "higher"]
#: How values add up over days: counted per day (sum), a state (the latest), or a mean.
OverTime = Literal["sum", "last", "mean"]
#: How entities add up to a team.
OverEntities = Literal["sum", "mean", "max", "min"]


@dataclass(frozen=True, slots=True)
class KpiSpec:
    """One KPI: its name (``security.critical``), how to show it and how it adds up."""

    name: str
    title: str
    unit: str = ""
    better: Better = "lower"
    over_time: OverTime = "sum"
    over_entities: OverEntities = "sum"
    decimals: int = 0

    @property
    def family(self) -> str:
        """``cost``, ``incidents``, ``security`` or the custom KPI's own name."""
        return self.name.split(".")[0] if self.name.split(".")[0] in FAMILIES else self.name

    def format(self, value: float | None) -> str:
        """The value as people read it; missing data says so, never "0"."""
        if value is None:
            return "no data"
        if self.unit == "$":
            return f"${value:,.{max(self.decimals, 0)}f}"
        text = f"{value:,.{self.decimals}f}"
        return f"{text} {self.unit}".rstrip() if self.unit else text


#: The built-in KPIs, by name; a family's first one is the one `--kpi <family>` ranks by.
BUILT_IN_KPIS: dict[str, KpiSpec] = {
    spec.name: spec
    for spec in (
        KpiSpec("cost", "Cloud cost", unit="$", over_time="sum", decimals=0),
        KpiSpec("incidents", "Incidents opened", over_time="sum"),
        KpiSpec(
            "incidents.ack_minutes",
            "Time to acknowledge",
            unit="min",
            over_time="mean",
            over_entities="mean",
            decimals=1,
        ),
        KpiSpec(
            "incidents.resolve_minutes",
            "Time to resolve",
            unit="min",
            over_time="mean",
            over_entities="mean",
            decimals=1,
        ),
        KpiSpec("security", "Open security issues", over_time="last"),
        KpiSpec("security.critical", "Critical security issues", over_time="last"),
        KpiSpec("security.high", "High security issues", over_time="last"),
        KpiSpec("security.medium", "Medium security issues", over_time="last"),
        KpiSpec("security.low", "Low security issues", over_time="last"),
    )
}
FAMILIES = ("cost", "incidents", "security")
SEVERITIES = ("critical", "high", "medium", "low")
#: What an incident source (PagerDuty, Opsgenie) and a security source provide.
INCIDENT_KPIS = ("incidents", "incidents.ack_minutes", "incidents.resolve_minutes")
SECURITY_KPIS = ("security", *(f"security.{s}" for s in SEVERITIES))


@dataclass(frozen=True, slots=True)
class KpiEntity:
    """A catalog entity as KPI sources see it: its ref, name, owner and annotations."""

    ref: EntityRef
    owner: EntityRef | None
    annotations: Mapping[str, str] = field(default_factory=dict)
    source_location: str | None = None

    @property
    def name(self) -> str:
        return self.ref.name

    def annotation(self, key: str) -> str | None:
        value = self.annotations.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True, slots=True)
class KpiValue:
    """One entity's value of one KPI on one day."""

    entity: EntityRef
    kpi: str
    day: date
    value: float


@dataclass
class SourceReport:
    """What one source answered: values, the entities it could not read (and why), the
    entities it had nothing to say about, and a failure that stopped it entirely."""

    source: str
    kpis: tuple[str, ...]
    values: list[KpiValue] = field(default_factory=list)
    gaps: dict[EntityRef, str] = field(default_factory=dict)
    asked: int = 0
    failure: str | None = None
    requests: int = 0

    def summary(self) -> dict[str, object]:
        return {
            "source": self.source,
            "entities": self.asked,
            "values": len(self.values),
            "gaps": len(self.gaps),
            "failure": self.failure,
            "requests": self.requests,
        }


class KpiSource(Protocol):
    """A KPI source: fetch daily values of its KPIs for the entities it can read."""

    name: str

    @property
    def kpis(self) -> tuple[KpiSpec, ...]:
        """The KPIs it provides."""
        ...

    def fetch(self, entities: Sequence[KpiEntity], days: Sequence[date]) -> SourceReport:
        """Values for ``days`` (ascending UTC days) of the entities it applies to; never raises
        for one entity's problem (that is a gap), and reports a whole-source failure in the
        report rather than raising, so one broken source does not stop the others."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
