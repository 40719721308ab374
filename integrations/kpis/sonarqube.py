"""SonarQube: open vulnerabilities per project, by severity (the ``security`` KPIs), for
entities annotated ``sonarqube.org/project-key`` (the community plugin's annotation; a value
``<instance>/<key>`` names the source ``<instance>``). One request per project: an issue
search for unresolved vulnerabilities asking only for the severity facet (``ps=1``).

SonarQube's severities map to the KPI's: BLOCKER -> critical, CRITICAL -> high, MAJOR ->
medium, MINOR and INFO -> low.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import httpx

from integrations.kpis._http import JsonApi
from integrations.kpis.config import SonarQubeConfig
from integrations.kpis.errors import KpiEntityGone, KpiSourceFailed
from integrations.kpis.model import KpiEntity
from integrations.kpis.security import _RepositorySource

__all__ = ["PROJECT_KEY", "SonarQubeSource"]

PROJECT_KEY = "sonarqube.org/project-key"
_SEVERITY = {"BLOCKER": "critical", "CRITICAL": "high", "MAJOR": "medium", "MINOR": "low"}


class SonarQubeSource(_RepositorySource):
    """Unresolved vulnerabilities per project (``GET /api/issues/search``)."""

    annotation = PROJECT_KEY
    what = "SonarQube"

    def __init__(
        self,
        config: SonarQubeConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(config)
        token = config.token.get_secret_value() if config.token else ""
        self.api = JsonApi.for_source(
            config,
            what="SonarQube",
            base_url=config.api_url.rstrip("/") + "/api",
            headers={"Authorization": f"Bearer {token}"},
            sleep=sleep,
            transport=transport,
        )

    def target_of(self, entity: KpiEntity) -> str | None:
        value = entity.annotation(PROJECT_KEY)
        if not value:
            return None
        instance, slash, key = value.partition("/")
        if slash and instance == self.name:
            return key
        return value

    def severities(self, repo: str) -> Counter[str]:
        try:
            body = self.api.json(
                "issues/search",
                params={
                    "components": repo,
                    "types": "VULNERABILITY",
                    "resolved": "false",
                    "facets": "severities",
                    "ps": 1,
                },
                doing=f"reading vulnerabilities of {repo}",
            )
        except KpiEntityGone:
            raise KpiEntityGone(
                f"SonarQube has no project {repo} that this token can see"
            ) from None
        if not isinstance(body, dict):
            raise KpiSourceFailed(f"SonarQube answered nonsense about {repo}")
        counts: Counter[str] = Counter()
        for facet in body.get("facets") or []:
            if isinstance(facet, dict) and facet.get("property") == "severities":
                for value in facet.get("values") or []:
                    severity = _SEVERITY.get(str(value.get("val")), "low")
                    counts[severity] += int(value.get("count") or 0)
        total = int((body.get("paging") or {}).get("total") or sum(counts.values()))
        if total > sum(counts.values()):
            counts["low"] += total - sum(counts.values())
        return counts
