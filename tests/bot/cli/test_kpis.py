"""``greenroom kpis collect|show|oncall`` on the example company, against the loopback
PagerDuty and OpenCost, through click's runner."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from bot.cli.main import main
from bot.loopback.opencost_api import FakeOpenCost
from bot.loopback.pagerduty_api import TOKEN, FakePagerDuty

Invoke = Callable[..., Result]


@pytest.fixture
def fakes() -> Iterator[tuple[FakePagerDuty, FakeOpenCost]]:
    with FakePagerDuty() as pagerduty, FakeOpenCost() as opencost:
        pagerduty.add_service("P7GLXPAY", "Payments API")
        pagerduty.add_on_call("P7GLXPAY", "Priya Raman", "priya.raman@globex.example")
        yield pagerduty, opencost


@pytest.fixture
def run(
    database_url: str,
    examples_dir: Path,
    tmp_path: Path,
    fakes: tuple[FakePagerDuty, FakeOpenCost],
    monkeypatch: pytest.MonkeyPatch,
) -> Invoke:
    company = tmp_path / "company"
    shutil.copytree(examples_dir, company, symlinks=True)
    config = yaml.safe_load((company / "greenroom.yaml").read_text())
    pagerduty, opencost = fakes
    config["kpis"] = {
        "sources": [
            {"type": "pagerduty", "api_url": pagerduty.url},
            {"type": "opencost", "url": opencost.url},
        ]
    }
    (company / "greenroom.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.setenv("PAGERDUTY_TOKEN", TOKEN)

    def invoke(*args: str) -> Result:
        options = ["--config", str(company / "greenroom.yaml"), "--database-url", database_url]
        return CliRunner().invoke(main, [*options, *args], catch_exceptions=False)

    assert invoke("sync").exit_code == 0
    return invoke


def test_collect_then_show_by_tribe_and_a_tribes_squads(
    run: Invoke, fakes: tuple[FakePagerDuty, FakeOpenCost]
) -> None:
    pagerduty, opencost = fakes
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    opencost.set_cost("payments-api", yesterday, 120.0)
    opencost.set_cost("cart-service", yesterday, 30.0)
    moment = datetime(yesterday.year, yesterday.month, yesterday.day, 8, tzinfo=UTC)
    pagerduty.add_incident("P7GLXPAY", moment, ack_minutes=3, resolve_minutes=20)

    collected = json.loads(run("kpis", "collect", "--json").output)
    tribes = run("kpis", "show")
    squads = json.loads(
        run("kpis", "show", "payments-tribe", "--kpi", "incidents", "--json").output
    )

    assert [s["source"] for s in collected["sources"]] == ["pagerduty", "opencost"]
    by_source = {s["source"]: s for s in collected["sources"]}
    # the five annotated services the fake PagerDuty does not know are gaps, not zeros
    assert by_source["pagerduty"]["failure"] is None and by_source["pagerduty"]["gaps"] == 5
    assert "Cloud cost: by tribe" in tribes.output
    assert "Payments tribe" in tribes.output and "$150" in tribes.output
    assert squads["rows"][0]["display_name"] == "Payments Core"
    assert squads["rows"][0]["current"] == 1.0


def test_collect_exits_1_and_names_a_failed_source(
    run: Invoke, fakes: tuple[FakePagerDuty, FakeOpenCost]
) -> None:
    fakes[0].token = "rotated"

    result = run("kpis", "collect")

    assert result.exit_code == 1
    assert (
        "failed: PagerDuty rejected the token in PAGERDUTY_TOKEN"
        in result.output.replace("\n", " ")
        or "PagerDuty rejected the token" in result.output
    )


def test_oncall(run: Invoke) -> None:
    result = run("kpis", "oncall", "payments-api")

    assert result.exit_code == 0
    assert "level 1: Priya Raman <priya.raman@globex.example> until" in result.output
