"""The tech-migration test company (tests/catalog/tech_migrations/company.py) set up for the
worker: on disk, a migrations folder, settings pointing at both, and a job context."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.capabilities import job_registry
from bot.loopback.slack import LoopbackSlack
from jobs import JobContext
from runtime.process import Runtime
from tests.catalog.tech_migrations.company import definition, write_company

MIGRATION = "python-3-12"
#: every in-scope service's Dockerfile starts from python 3.12 (2 of 7 pass at first)
DOCKER312 = {"type": "file-matches", "path": "Dockerfile", "pattern": r"^FROM python:3\.12"}


def write_migrations(tmp_path: Path, **fields: Any) -> dict[str, Any]:
    """The company and one migration on disk; returns the settings that point at them."""
    root = write_company(tmp_path / "company")
    folder = tmp_path / "migrations"
    folder.mkdir(exist_ok=True)
    fields.setdefault("id", MIGRATION)
    fields.setdefault("title", "Upgrade to Python 3.12")
    (folder / f"{fields['id']}.yaml").write_text(yaml.safe_dump(definition([DOCKER312], **fields)))
    return {
        "catalog": {"sources": [{"name": "company", "type": "directory", "path": str(root)}]},
        "migrations": {"path": str(folder)},
    }


def slack_environ(slack: LoopbackSlack) -> dict[str, str]:
    """What a worker needs to post to the loopback Slack."""
    return {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url}


def job_context(
    runtime: Runtime,
    kind: str,
    params: dict[str, Any],
    *,
    slot: datetime | None = None,
    run_id: int = 1,
    attempt: int = 1,
) -> JobContext:
    """One run of a job body, as the worker's child process builds it."""
    now = datetime.now(UTC)
    return JobContext(
        runtime=runtime,
        kind=kind,
        params=params,
        slot=slot or now,
        run_id=run_id,
        attempt=attempt,
        trigger="schedule",
        deadline=now + timedelta(minutes=5),
        logger=logging.getLogger(f"test.{kind}"),
        registry=job_registry(),
    )
