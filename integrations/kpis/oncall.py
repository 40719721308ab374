"""Who is on call for an entity: its ``pagerduty.com/service-id`` through the configured
PagerDuty source, else its ``opsgenie.com/team`` through the configured Opsgenie source."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from catalog.refs import EntityRef
from integrations.kpis.config import KpisSettings, OpsgenieConfig, PagerDutyConfig
from integrations.kpis.errors import KpiSourceFailed
from integrations.kpis.model import KpiEntity
from integrations.kpis.opsgenie import IS_SCHEDULE, TEAM, OpsgenieSource
from integrations.kpis.pagerduty import SERVICE_ID, OnCallAnswer, PagerDutySource

__all__ = ["ON_CALL_ANNOTATIONS", "OnCallLookup", "on_call_for"]

#: The annotations that say where an entity's on-call lives.
ON_CALL_ANNOTATIONS = (SERVICE_ID, TEAM)


@dataclass(frozen=True)
class OnCallLookup:
    """The answer for one entity: who is on call, or why nobody could be named."""

    entity: EntityRef
    service_id: str | None
    answer: OnCallAnswer | None
    problem: str | None = None


def on_call_for(
    settings: KpisSettings,
    entity: KpiEntity,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float | None = None,
) -> OnCallLookup:
    """Who is on call now for ``entity`` (never raises for the source's failures: they
    become ``problem``)."""
    pagerduty = next((s for s in settings.sources if isinstance(s, PagerDutyConfig)), None)
    opsgenie = next((s for s in settings.sources if isinstance(s, OpsgenieConfig)), None)
    service = entity.annotation(SERVICE_ID)
    team = entity.annotation(TEAM)
    fast = {} if timeout is None else {"timeout_seconds": timeout, "max_retry_wait_seconds": 0}
    if service and pagerduty is not None:
        source = PagerDutySource(pagerduty.model_copy(update=fast), transport=transport)
        try:
            return OnCallLookup(entity.ref, service, source.on_call(service))
        except KpiSourceFailed as error:
            return OnCallLookup(entity.ref, service, None, error.user_message)
        finally:
            source.close()
    if team and opsgenie is not None:
        is_schedule = (entity.annotation(IS_SCHEDULE) or "").lower() == "true"
        genie = OpsgenieSource(opsgenie.model_copy(update=fast), transport=transport)
        try:
            return OnCallLookup(entity.ref, team, genie.on_call(team, is_schedule=is_schedule))
        except KpiSourceFailed as error:
            return OnCallLookup(entity.ref, team, None, error.user_message)
        finally:
            genie.close()
    wanted = " or ".join(
        a for a, configured in ((SERVICE_ID, pagerduty), (TEAM, opsgenie)) if configured is not None
    )
    if not wanted:
        return OnCallLookup(
            entity.ref,
            None,
            None,
            "no on-call source is configured (a pagerduty or opsgenie source in kpis.sources)",
        )
    return OnCallLookup(entity.ref, None, None, f"it has no {wanted} annotation")
