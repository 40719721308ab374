"""How ``greenroom.yaml`` shapes day-2 actions (the ``actions:`` section): who may act
directly, how long requests wait, the safety limits, and which actions are switched off where.

Switches turn an action off for a cluster, an environment (a cluster's ``environments``
entry) or both; ``*`` matches any. Scaling to zero counts as its own action,
``scale-to-zero``, which is off in ``production`` unless an operator removes that switch.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ActionSwitch", "ActionsSettings"]


class ActionSwitch(BaseModel):
    """One action (or ``*``) turned off in a cluster and/or environment (``*``: any)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: str = Field(default="*", description="action name, scale-to-zero, or *")
    cluster: str = Field(default="*", description="cluster name, or *")
    environment: str = Field(default="*", description="environment name, or *")

    def matches(self, action: str, cluster: str | None, environment: str | None) -> bool:
        """Whether this switch turns ``action`` off there."""
        return (
            self.action in {"*", action}
            and self.cluster in {"*", cluster or ""}
            and self.environment in {"*", environment or ""}
        )


class ActionsSettings(BaseModel):
    """``actions:``: day-2 actions from Slack (see docs/actions.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="false hides every action and button")
    parents_may_act: bool = Field(
        default=True,
        description="members of the owning group's parent groups act directly, as its members do",
    )
    request_ttl_minutes: int = Field(
        default=60, ge=1, le=7 * 24 * 60, description="a request not decided by then expires"
    )
    cooldown_seconds: int = Field(
        default=60, ge=0, description="after an action on a workload, the next one waits this long"
    )
    rate_limit: int = Field(default=10, ge=1, description="actions one person may start ...")
    rate_window_minutes: int = Field(default=60, ge=1, description="... within this many minutes")
    verify_timeout_seconds: float = Field(
        default=300.0, gt=0, le=3600, description="how long a change may take to be seen"
    )
    call_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="one call to a cluster or CI host"
    )
    environments: dict[str, str] = Field(
        default_factory=dict,
        description="cluster name -> environment (production, staging, ...) for switches",
    )
    disabled: tuple[ActionSwitch, ...] = Field(
        default=(ActionSwitch(action="scale-to-zero", environment="production"),),
        description="actions turned off per cluster/environment",
    )
    default_channel: str | None = Field(
        default=None, description="requests and audit posts for teams with no Slack channel"
    )

    def environment_of(self, cluster: str | None) -> str | None:
        """The environment a cluster belongs to, if one is configured."""
        return self.environments.get(cluster or "")

    def switched_off(self, action: str, cluster: str | None) -> ActionSwitch | None:
        """The switch that turns ``action`` off in ``cluster``, if any."""
        environment = self.environment_of(cluster)
        return next((s for s in self.disabled if s.matches(action, cluster, environment)), None)
