"""A scaffolder over the fixture company with two template folders a test fills as an attacker
would (``community``: untrusted, ``approved``: trusted), a host folder holding a secret, and
checks that a refused run left nothing anywhere."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from catalog import Catalog, parse_ref
from catalog.sync import sync_catalog
from integrations.errors import ScaffoldFailed
from integrations.repositories import GitRemotePublisher
from integrations.scaffolder import (
    RegisteredLocationsSource,
    Scaffolder,
    ScaffolderSettings,
    TemplateDirSettings,
    registered,
)
from tests.integrations.scaffolder.scaffold_company import ADA, company_source

SECRET = "host-secret-5f0c2a: root password is hunter2"
PROJECT = "{{cookiecutter.project_slug}}"


@dataclass
class TemplateWorld:
    """Everything one attack needs; ``tmp`` is the test's temporary folder."""

    tmp: Path
    engine: Engine
    catalog: Catalog

    @property
    def host(self) -> Path:
        """A folder of the host, outside every template, holding ``secret.txt``."""
        return self.tmp / "host"

    @property
    def secret(self) -> Path:
        return self.host / "secret.txt"

    def folder(self, *, trusted: bool = False) -> Path:
        return self.tmp / "templates" / ("approved" if trusted else "community")

    def template(
        self,
        template_id: str,
        files: dict[str, str] | None = None,
        *,
        trusted: bool = False,
        context: dict[str, Any] | None = None,
    ) -> Path:
        """A template: ``cookiecutter.json`` (plus ``context``), a project folder holding a
        README, and ``files`` (paths relative to the template)."""
        root = self.folder(trusted=trusted) / template_id
        (root / PROJECT).mkdir(parents=True)
        data = {"project_slug": "example", "description": "x"} | (context or {})
        (root / "cookiecutter.json").write_text(json.dumps(data))
        (root / PROJECT / "README.md").write_text("# {{ cookiecutter.project_slug }}\n")
        for relative, text in (files or {}).items():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text)
        return root

    def scaffolder(self, **settings: Any) -> Scaffolder:
        values: dict[str, Any] = {
            "template_dirs": [
                TemplateDirSettings(path=Path("templates/community"), trusted=False),
                TemplateDirSettings(path=Path("templates/approved"), trusted=True),
            ],
            "shipped_templates": False,
            "remote_url_template": f"file://{self.tmp}/git/{{name}}.git",
            "time_limit_seconds": 20,
        }
        config = ScaffolderSettings(**(values | settings))
        work = self.tmp / "work"
        work.mkdir(exist_ok=True)
        return Scaffolder(
            settings=config,
            engine=self.engine,
            catalog=self.catalog,
            publisher=GitRemotePublisher(config.remote_url_template, timeout=30),
            locations=RegisteredLocationsSource(self.engine, cache_dir=self.tmp / "cache"),
            base_dir=self.tmp,
            work_root=work,
        )

    def run(self, template_id: str, **settings: Any) -> Any:
        scaffolder = self.scaffolder(**settings)
        values = {"name": "ledger", "description": "Keeps the books."}
        return scaffolder.run(template_id, values, scaffolder.caller(ADA))

    def refused(self, template_id: str, **settings: Any) -> str:
        """Run the template, expecting a refusal: its message, once checked that nothing was
        published, registered or left in the work folder, and the secret went nowhere."""
        with pytest.raises(ScaffoldFailed) as raised:
            self.run(template_id, **settings)
        self.assert_nothing_made()
        message = raised.value.user_message
        assert SECRET not in message
        return message

    def assert_nothing_made(self) -> None:
        assert not (self.tmp / "git" / "ledger.git").exists()
        assert self.catalog.get(parse_ref("component:ledger")) is None
        assert registered(self.engine) == []
        assert list((self.tmp / "work").iterdir()) == []


def make_world(tmp_path: Path, engine: Engine) -> TemplateWorld:
    """The company synced into ``engine``, a host secret, empty template folders."""
    sync_catalog(engine, [company_source()])
    world = TemplateWorld(tmp_path, engine, Catalog(engine))
    world.host.mkdir()
    world.secret.write_text(SECRET + "\n")
    (world.host / "inner").mkdir()
    (world.host / "inner" / "secret.txt").write_text(SECRET + "\n")
    world.folder().mkdir(parents=True)
    world.folder(trusted=True).mkdir(parents=True)
    return world
