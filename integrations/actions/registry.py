"""The action catalog: an action is a small class registered by name.

An action names its form, its permission and its audit text, and implements four steps:
``plan`` (the precondition check and dry run against the live object), ``apply`` (the change)
and ``verify`` (did it take effect, within a deadline). ``targets`` lists what it can act on
for an entity. A site adds an action with ``@register_action`` on a subclass."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from catalog import Entity
from integrations.actions.errors import ActionRefused
from integrations.actions.model import FormField, Outcome, Plan, Target

if TYPE_CHECKING:
    from integrations.actions.cluster import ClusterWriters
    from integrations.actions.config import ActionsSettings
    from integrations.repositories import RepositoriesSettings

__all__ = ["Action", "ActionContext", "all_actions", "get_action", "register_action"]

Permission = Literal["owner", "admin"]


@dataclass(frozen=True)
class ActionContext:
    """What actions reach the outside through: clusters, repository hosts, limits."""

    settings: ActionsSettings
    clusters: ClusterWriters | None = None
    repositories: RepositoriesSettings | None = None
    #: for CI hosts: an httpx transport (tests and the demo pass loopback ones)
    http_transport: Any = None


class Action(ABC):
    """One kind of change. Subclasses set the class attributes and the four steps."""

    name: ClassVar[str]
    title: ClassVar[str]  # "Restart", shown on buttons and modals
    description: ClassVar[str]
    target_kinds: ClassVar[tuple[str, ...]]
    #: ``owner``: owners act and others request; ``admin``: only admins act, others request
    permission: ClassVar[Permission] = "owner"
    fields: ClassVar[tuple[FormField, ...]] = ()

    def audit_text(self, plan: Plan) -> str:
        """One line for the audit trail and the team channel."""
        return plan.summary

    def check_params(self, params: Mapping[str, str]) -> dict[str, str]:
        """The form's values, cleaned; ActionRefused names a missing or bad field."""
        cleaned: dict[str, str] = {}
        for spec in self.fields:
            value = str(params.get(spec.name) or spec.default or "").strip()
            if spec.required and not value:
                raise ActionRefused(f"{spec.label} is required.")
            if value and spec.kind == "number" and not value.isdigit():
                raise ActionRefused(f"{spec.label} must be a whole number, not {value[:20]!r}.")
            if value:
                cleaned[spec.name] = value
        return cleaned

    def check_target(self, ctx: ActionContext, entity: Entity, target: Target) -> None:
        """ActionRefused unless ``target`` is one of the entity's own (a button's value or a
        form's option names it, and those must not reach someone else's workload)."""
        if target not in self.targets(ctx, entity):
            raise ActionRefused(
                f"{target.kind} {target.name} does not belong to {entity.ref.short}."
            )

    @abstractmethod
    def targets(self, ctx: ActionContext, entity: Entity) -> list[Target]:
        """What this action can change for ``entity`` (workloads in every cluster, the repo)."""

    @abstractmethod
    def plan(
        self, ctx: ActionContext, entity: Entity, target: Target, params: Mapping[str, str]
    ) -> Plan:
        """Check the preconditions on the live object and say exactly what will change."""

    @abstractmethod
    def apply(self, ctx: ActionContext, entity: Entity, plan: Plan) -> Mapping[str, Any]:
        """Make the change; returns what was sent back (for the record)."""

    @abstractmethod
    def verify(self, ctx: ActionContext, entity: Entity, plan: Plan, *, deadline: float) -> Outcome:
        """Wait (until the monotonic ``deadline``) for the change to take effect."""


_ACTIONS: dict[str, Action] = {}


def register_action(cls: type[Action]) -> type[Action]:
    """Class decorator: add an action to the catalog under its ``name``."""
    if cls.name in _ACTIONS and type(_ACTIONS[cls.name]) is not cls:
        raise ValueError(f"action {cls.name!r} is already registered")
    _ACTIONS[cls.name] = cls()
    return cls


def get_action(name: str) -> Action:
    """The action called ``name``; ActionRefused lists the known ones otherwise."""
    _load_builtins()
    found = _ACTIONS.get(name.strip().lower())
    if found is None:
        known = ", ".join(sorted(_ACTIONS))
        raise ActionRefused(f"There is no action {name[:40]!r}. Actions: {known}.")
    return found


def all_actions() -> list[Action]:
    """Every registered action, by name."""
    _load_builtins()
    return [_ACTIONS[n] for n in sorted(_ACTIONS)]


def _load_builtins() -> None:
    import integrations.actions.batch_actions
    import integrations.actions.ci_actions
    import integrations.actions.kubernetes_actions  # noqa: F401
