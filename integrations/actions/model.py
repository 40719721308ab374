"""The vocabulary of actions: who acts, on what, the form, the dry run and the outcome.

Everything here is plain data that may be stored in the audit trail or shown in Slack, so it
never holds a secret: workload state is reduced to replicas, images, revisions and flags."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from catalog import EntityRef

__all__ = [
    "Actor",
    "FormField",
    "Outcome",
    "Plan",
    "SlackIds",
    "Target",
    "looks_secret",
    "redact",
]

_SECRET_NAME = re.compile(r"(secret|token|passw|pwd|api[_-]?key|private|credential)", re.I)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who clicked: a Slack user, the catalog User they map to, and whether an admin."""

    slack_user_id: str
    person: EntityRef | None = None
    name: str = ""
    team_id: str = ""
    is_admin: bool = False

    @property
    def label(self) -> str:
        return self.name or (self.person.name if self.person else self.slack_user_id)


@dataclass(frozen=True, slots=True)
class SlackIds:
    """Where in Slack something happened, for the audit trail."""

    channel: str | None = None
    message_ts: str | None = None
    view_id: str | None = None
    trigger: str | None = None


@dataclass(frozen=True, slots=True, order=True)
class Target:
    """What an action changes: a workload in a cluster, or the entity's repository."""

    kind: str  # Deployment, StatefulSet, CronJob, Job, Repository
    name: str
    cluster: str | None = None
    namespace: str | None = None

    @property
    def key(self) -> str:
        """One string per workload, for claims and cooldowns."""
        if self.cluster is None:
            return f"{self.kind.lower()}:{self.name}"
        return f"{self.cluster}/{self.namespace}/{self.kind.lower()}/{self.name}"

    def __str__(self) -> str:
        return self.key

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "cluster": self.cluster,
            "namespace": self.namespace,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Target:
        return cls(
            str(data["kind"]),
            str(data["name"]),
            None if data.get("cluster") is None else str(data["cluster"]),
            None if data.get("namespace") is None else str(data["namespace"]),
        )


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of an action's form (``replicas``, ``ref``, workflow inputs...)."""

    name: str
    label: str
    kind: Literal["number", "text"] = "text"
    required: bool = True
    default: str | None = None
    hint: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """A dry run: exactly what the action will change, checked against the live object."""

    action: str
    target: Target
    summary: str
    changes: tuple[str, ...]
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)
    #: the switch name this run counts as (``scale-to-zero`` for a scale to 0)
    switch: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened: done and seen to take effect, or why not."""

    ok: bool
    message: str
    after: Mapping[str, Any] = field(default_factory=dict)
    verified: bool = False
    seconds: float = 0.0
    link: str | None = None


def looks_secret(name: str) -> bool:
    """Whether an input's name suggests a secret (token, password, key...)."""
    return bool(_SECRET_NAME.search(name))


def redact(params: Mapping[str, str]) -> dict[str, str]:
    """Inputs as they may be recorded: values of secret-looking names are hidden."""
    return {k: ("<redacted>" if _SECRET_NAME.search(k) else v) for k, v in params.items()}
