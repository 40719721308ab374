"""The manifest unfurls Backstage entity pages and, when asked, pull request links."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from bot.cli.main import main


def _domains(config: Path, text: str) -> list[str]:
    config.write_text(text)
    result = CliRunner().invoke(main, ["--config", str(config), "manifest", "--socket-mode"])
    assert result.exit_code == 0, result.output
    return list(yaml.safe_load(result.output)["features"].get("unfurl_domains", []))


def test_backstage_pages_unfurl_and_pull_requests_only_when_asked(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    assert _domains(config, "delivery:\n  backstage_url: https://backstage.acme.example\n") == [
        "backstage.acme.example"
    ]
    text = (
        "repositories:\n  hosts: [{url: 'https://ghe.acme.example', type: github}]\n"
        "delivery:\n  preview_pull_requests: true\n"
    )
    assert _domains(config, text) == ["ghe.acme.example"]
