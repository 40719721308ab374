"""The delivery step of ``greenroom demo``: a loopback GitHub with payments-api's history, pull
requests and deployments, and ``prs``, ``deploys`` and ``pr`` asked through the real Slack app.

The shell passes in what this folder may not import (the loopback GitHub and the console);
github.com's API is pointed at the loopback one with ``delivery.api_urls``, so the example
company's annotations stay as they are."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from pydantic import SecretStr

from runtime.process import Runtime

__all__ = ["DELIVERY_TOUR", "run_delivery_tour"]

DELIVERY_TOUR = ("prs payments-api", "deploys payments-api", "pr payments-api#412")
_SLUG = "globex/payments-api"
_HOST = "https://github.com"


class _Printer(Protocol):
    def rule(self, title: str) -> None: ...

    def print(self, *objects: Any, markup: bool = ..., highlight: bool = ...) -> None: ...


def run_delivery_tour(
    runtime: Runtime,
    out: _Printer,
    *,
    email: str | None,
    github: Callable[[Path], Any],
    console: Callable[[Runtime], Any],
) -> int:
    """Ask the delivery tour against a seeded loopback GitHub; returns how many failed."""
    command = runtime.settings.slack.command
    failed = 0
    with tempfile.TemporaryDirectory() as folder:
        fake = github(Path(folder))
        with fake:
            _seed(fake)
            token = next(iter(fake.tokens))
            host = next((h for h in runtime.settings.repositories.hosts if h.url == _HOST), None)
            hosts = [h for h in runtime.settings.repositories.hosts if h.url != _HOST]
            if host is None:
                from integrations.repositories import RepositoryHostSettings

                host = RepositoryHostSettings(url=_HOST, type="github")
            hosts.insert(0, host.model_copy(update={"token": SecretStr(token)}))
            settings = runtime.settings.model_copy(
                update={
                    "repositories": runtime.settings.repositories.model_copy(
                        update={"hosts": hosts}
                    ),
                    "delivery": runtime.settings.delivery.model_copy(
                        update={"api_urls": {_HOST: fake.api_url}, "fresh_seconds": 0}
                    ),
                }
            )
            with console(Runtime(settings, runtime.engine)) as asking:
                for question in DELIVERY_TOUR:
                    out.rule(f"{command} {question}")
                    answer = asking.ask(f"{command} {question}", email=email)
                    out.print(answer.text(), markup=False, highlight=False)
                    failed += 0 if answer.answered else 1
    return failed


def _seed(fake: Any) -> None:
    now = datetime.now(UTC)
    commits = [fake.seed_repository(_SLUG, {"README.md": "# payments-api\n"})]
    for message in (
        "Retry captures on gateway timeouts (#410)",
        "Merge pull request #412 from globex/refund-webhooks\n\nRefund webhooks",
        "Bump fastapi (#415)",
    ):
        commits.append(fake.commit(_SLUG, {f"{len(commits)}.txt": message}, message=message))
    d = fake.delivery
    d.add_deployment(
        _SLUG,
        sha=commits[1],
        environment="production",
        creator="deploy-bot",
        created=now - timedelta(days=2),
    )
    d.add_deployment(
        _SLUG,
        sha=commits[3],
        environment="staging",
        creator="ana.silva",
        created=now - timedelta(hours=3),
    )
    d.add_pull(
        _SLUG,
        412,
        title="Refund webhooks",
        author="ana.silva",
        created=now - timedelta(days=4),
        merged_at=now - timedelta(days=1),
        merge_commit_sha=commits[2],
    )
    d.add_pull(
        _SLUG,
        418,
        title="Idempotency keys for captures",
        author="ben.okafor",
        created=now - timedelta(days=2),
        head_sha=commits[3],
    )
    d.add_check_run(_SLUG, commits[3], name="tests", status="completed", conclusion="success")
    d.add_review(_SLUG, 418, user="ana.silva", state="APPROVED", submitted=now - timedelta(hours=6))
    d.add_pull(
        _SLUG,
        402,
        title="Try the new fraud model",
        author="chris.lee",
        created=now - timedelta(days=21),
        updated=now - timedelta(days=12),
        requested_reviewers=("ana.silva",),
    )
