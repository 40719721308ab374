"""The tech-migration test company (tests/catalog/tech_migrations/company.py) set up for the
worker: on disk, a migrations folder, and settings pointing at both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.loopback.slack import LoopbackSlack
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
