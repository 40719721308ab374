"""``greenroom docs build|search|show`` against a real config, database and mkdocs."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli.main import main

PAGES = {
    "svc/catalog-info.yaml": """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc
  title: The Service
  annotations: {backstage.io/techdocs-ref: dir:.}
spec: {type: service, lifecycle: production, owner: team-a}
""",
    "svc/mkdocs.yml": "site_name: Service docs\nnav:\n  - Home: index.md\n"
    "  - Deploying: deploy.md\n",
    "svc/docs/index.md": "# Service\n\nWelcome.\n",
    "svc/docs/deploy.md": "# Deploying\n\n## Canary\n\nShip a canary release first.\n",
}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text.lstrip("\n"), encoding="utf-8")


def test_build_show_search_and_a_failing_rebuild(tmp_path: Path) -> None:
    write(tmp_path / "repos", PAGES)
    config = tmp_path / "greenroom.yaml"
    config.write_text(
        "database_url: sqlite:///gr.db\ncatalog:\n  sources:\n"
        "    - {name: repos, type: directory, path: repos}\n"
        "techdocs:\n  base_url: https://bot.example.com/docs\n"
    )
    runner = CliRunner()
    args = ["--config", str(config)]
    assert runner.invoke(main, [*args, "sync"]).exit_code == 0

    built = runner.invoke(main, [*args, "docs", "build"])
    assert built.exit_code == 0, built.output
    assert "component:svc" in built.output and "built" in built.output
    assert (tmp_path / ".greenroom" / "techdocs" / "default" / "component" / "svc").is_symlink()

    shown = runner.invoke(main, [*args, "docs", "show", "svc"])
    assert shown.exit_code == 0, shown.output
    assert "docs: https://bot.example.com/docs/default/component/svc/" in shown.output
    assert "Deploying: https://bot.example.com/docs/default/component/svc/deploy/" in shown.output

    found = runner.invoke(main, [*args, "docs", "search", "canary", "--json"])
    hits = json.loads(found.output)
    assert hits[0]["url"] == "https://bot.example.com/docs/default/component/svc/deploy/#canary"

    again = runner.invoke(main, [*args, "docs", "build", "svc"])
    assert again.exit_code == 0 and "unchanged" in again.output

    write(tmp_path / "repos", {"svc/docs/deploy.md": "# Deploying\n\n[gone](gone.md)\n"})
    failed = runner.invoke(main, [*args, "docs", "build"])
    assert failed.exit_code == 1
    assert "links to missing gone.md" in " ".join(failed.output.split())
    shown = runner.invoke(main, [*args, "docs", "show", "svc"])
    assert "last build failed" in shown.output and "because:" in shown.output
    assert "docs: https://bot.example.com/docs/default/component/svc/" in shown.output


def test_unknown_entity_is_a_user_error(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text("database_url: sqlite:///gr.db\n")
    assert CliRunner().invoke(main, ["--config", str(config), "db", "upgrade"]).exit_code == 0
    result = CliRunner().invoke(main, ["--config", str(config), "docs", "show", "nope"])
    assert result.exit_code == 1
    assert "EntityNotFound" in result.output
