"""Who is on call for an entity: its ``pagerduty.com/service-id``, through the configured
PagerDuty source, and for a team: the first of its services that names one."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from catalog.errors import ConfigError
from catalog.refs import EntityRef
from integrations.kpis.config import KpisSettings, PagerDutyConfig
from integrations.kpis.model import KpiEntity
from integrations.kpis.pagerduty import SERVICE_ID, OnCallAnswer, PagerDutySource

__all__ = ["OnCallLookup", "on_call_for"]


@dataclass(frozen=True)
class OnCallLookup:
    """The answer for one entity: who is on call, or why nobody could be named."""

    entity: EntityRef
    service_id: str | None
    answer: OnCallAnswer | None
    problem: str | None = None


def pagerduty_config(settings: KpisSettings) -> PagerDutyConfig:
    """The configured PagerDuty source; ConfigError when there is none."""
    for source in settings.sources:
        if isinstance(source, PagerDutyConfig):
            return source
    raise ConfigError(
        "PagerDuty is not configured: add a `type: pagerduty` source to `kpis.sources` in "
        "greenroom.yaml (docs/kpis.md)."
    )


def on_call_for(
    settings: KpisSettings,
    entity: KpiEntity,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float | None = None,
) -> OnCallLookup:
    """Who is on call now for ``entity``'s PagerDuty service (never raises for PagerDuty's
    failures: they become ``problem``)."""
    from integrations.kpis.errors import KpiSourceFailed

    service = entity.annotation(SERVICE_ID)
    if service is None:
        return OnCallLookup(entity.ref, None, None, f"it has no {SERVICE_ID} annotation")
    config = pagerduty_config(settings)
    if timeout is not None:
        config = config.model_copy(update={"timeout_seconds": timeout, "max_retry_wait_seconds": 0})
    source = PagerDutySource(config, transport=transport)
    try:
        return OnCallLookup(entity.ref, service, source.on_call(service))
    except KpiSourceFailed as error:
        return OnCallLookup(entity.ref, service, None, error.user_message)
    finally:
        source.close()
