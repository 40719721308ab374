"""Tour steps: team KPIs. Loopback PagerDuty, OpenCost and GitHub (Dependabot) fakes are
seeded from the example company's annotations with 60 days of made-up history, the runtime is
pointed at them and collects once, so the tour's ``kpis``, ``oncall`` and Home tab show real
numbers. The fakes live as daemon threads until the demo process ends."""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console as Terminal

from bot.loopback.github_api import FakeGitHub
from bot.loopback.opencost_api import FakeOpenCost
from bot.loopback.pagerduty_api import TOKEN, FakePagerDuty
from bot.tour import Tour
from catalog.annotations import GITHUB_PROJECT_SLUG, KUBERNETES_ID
from integrations.kpis import KpisSettings, collect_kpis, load_kpi_entities
from integrations.kpis.pagerduty import SERVICE_ID
from runtime.process import Runtime

__all__ = ["DEMO_QUESTIONS", "ask_about_kpis", "collect_kpi_history", "start_kpi_demo"]

#: What the tour asks about KPIs.
DEMO_QUESTIONS = ("kpis", "kpis payments-tribe --kpi incidents", "oncall payments-api")
_DAYS = 60
_ON_CALL = {  # service id -> (name, email) of level 1, a catalog user where there is one
    "P7GLXPAY": ("Daniel Okafor", "daniel.okafor@globex.example"),
    "P9GLXFRD": ("Aisha Khan", "aisha.khan@globex.example"),
}
_keep: list[Any] = []  # the fakes, alive for the process


def start_kpi_demo(runtime: Runtime, out: Terminal) -> Runtime:
    """Start the fakes, collect 60 days from them, and return a runtime whose ``kpis``
    settings point at them (the tour's Slack app is built from it)."""
    rng = random.Random(7)  # the same demo every time
    today = datetime.now(UTC).date()
    entities = load_kpi_entities(runtime.catalog)
    pagerduty = FakePagerDuty().start()
    opencost = FakeOpenCost().start()
    github = FakeGitHub(Path(tempfile.mkdtemp(prefix="greenroom-demo-github-")))
    github.__enter__()
    _keep.extend([pagerduty, opencost, github])
    for entity in entities:
        service = entity.annotation(SERVICE_ID)
        if service:
            pagerduty.add_service(service, entity.name)
            name, email = _ON_CALL.get(service, ("Sam Oncall", "sam.oncall@contractor.example"))
            pagerduty.add_on_call(service, name, email, level=1, hours_left=6)
            pagerduty.add_on_call(service, "Dana Backup", "dana.backup@contractor.example", level=2)
            for ago in range(1, _DAYS + 1):
                for _ in range(rng.choice((0, 0, 0, 1, 1, 2)) + (ago <= 30)):
                    day = today - timedelta(days=ago)
                    start = datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC)
                    ack = rng.uniform(1, 25)
                    pagerduty.add_incident(
                        service, start, ack_minutes=ack, resolve_minutes=ack + rng.uniform(5, 240)
                    )
        kube_id = entity.annotation(KUBERNETES_ID)
        if kube_id:
            base = rng.uniform(8, 90)
            for ago in range(1, _DAYS + 1):
                drift = 1.15 if ago <= 30 else 1.0
                cost = round(base * drift * rng.uniform(0.9, 1.1), 2)
                opencost.set_cost(kube_id, today - timedelta(days=ago), cost)
        slug = entity.annotation(GITHUB_PROJECT_SLUG)
        if slug:
            for severity in rng.sample(
                ["critical", "high", "medium", "low", "low"], rng.randrange(4)
            ):
                github.add_dependabot_alert(slug, severity)
    settings = KpisSettings.model_validate(
        {
            "sources": [
                {"type": "pagerduty", "api_url": pagerduty.url},
                {"type": "opencost", "url": opencost.url},
                {"type": "github", "api_url": github.api_url},
            ],
            "thresholds": [{"kpi": "security.critical", "above": 0}],
        }
    ).with_tokens({"PAGERDUTY_TOKEN": TOKEN, "GITHUB_TOKEN": next(iter(github.tokens))})
    runtime = Runtime(runtime.settings.model_copy(update={"kpis": settings}), runtime.engine)
    out.rule("greenroom demo: collecting KPIs from loopback PagerDuty, OpenCost and GitHub")
    report = collect_kpis(runtime.engine, runtime.catalog, settings, days=_DAYS)
    for source in report.sources:
        result = f"failed: {source.failure}" if source.failure else "ok"
        out.print(
            f"{source.source}: {source.asked} entities, {len(source.values)} values, "
            f"{len(source.gaps)} gaps, {result}",
            markup=False,
            highlight=False,
        )
    return runtime


def collect_kpi_history(tour: Tour) -> None:
    """Before the console opens: the app is built from the runtime this step points at the
    loopback KPI sources."""
    tour.runtime = start_kpi_demo(tour.runtime, tour.out)


def ask_about_kpis(tour: Tour) -> None:
    for question in DEMO_QUESTIONS:
        tour.ask(question)
