"""``greenroom repos``: where entities' files are on disk, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli.main import main

COMPONENT = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  annotations:
    backstage.io/source-location: url:https://github.com/globex/{name}/tree/main/
spec:
  type: service
  lifecycle: production
  owner: payments-core
"""


def _config(tmp_path: Path) -> Path:
    for name in ("payments-api", "checkout"):
        folder = tmp_path / "catalog" / name
        folder.mkdir(parents=True)
        (folder / "catalog-info.yaml").write_text(COMPONENT.format(name=name))
    config = tmp_path / "greenroom.yaml"
    config.write_text(
        "database_url: sqlite:///greenroom.db\n"
        "catalog:\n  sources:\n    - {name: local, type: directory, path: catalog}\n"
    )
    result = CliRunner().invoke(main, ["--config", str(config), "sync", "--json"])
    assert result.exit_code == 0, result.output
    return config


def test_repos_folder_prints_the_local_folder_of_each_entity(tmp_path: Path) -> None:
    config = _config(tmp_path)

    result = CliRunner().invoke(
        main, ["--config", str(config), "repos", "folder", "payments-api", "checkout"]
    )

    assert result.exit_code == 0, result.output
    assert (
        f"component:default/payments-api  {tmp_path / 'catalog' / 'payments-api'}" in result.output
    )
    assert f"component:default/checkout  {tmp_path / 'catalog' / 'checkout'}" in result.output


def test_repos_folder_json_and_cache_listing(tmp_path: Path) -> None:
    config = _config(tmp_path)
    runner = CliRunner()

    folder = runner.invoke(main, ["--config", str(config), "repos", "folder", "--json", "checkout"])
    cache = runner.invoke(main, ["--config", str(config), "repos", "cache", "--json"])

    assert json.loads(folder.output)[0]["origin"] == "local"
    assert json.loads(cache.output) == []


def test_repos_folder_of_an_unknown_entity_is_a_clear_error(tmp_path: Path) -> None:
    config = _config(tmp_path)

    result = CliRunner().invoke(main, ["--config", str(config), "repos", "folder", "paymnts-api"])

    assert result.exit_code == 1
    assert "No entity named 'paymnts-api'" in result.output
