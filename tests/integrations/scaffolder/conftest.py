"""A small company in the catalog, fixture templates (trusted and not), and a scaffolder that
publishes to local bare repositories under the test's temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from catalog import Catalog
from catalog.database import create_database_engine
from catalog.sync import sync_catalog
from integrations.repositories import GitRemotePublisher
from integrations.scaffolder import (
    Caller,
    RegisteredLocationsSource,
    Scaffolder,
    ScaffolderSettings,
    TemplateDirSettings,
)
from tests.integrations.scaffolder.scaffold_company import (
    ADA,
    FIXTURES,
    ROOT,
    MakeScaffolder,
    company_source,
)


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite database, for tests whose subject does not depend on the dialect."""
    path = tmp_path / "scaffold.db"
    shutil.copy(sqlite_template, path)
    engine = create_database_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    """The database the scaffolder tests use: SQLite here; modules whose subject is the
    database (claims, registration, sync) override it with ``engine`` to run on both."""
    return sqlite_engine


@pytest.fixture
def company(db: Engine) -> Catalog:
    """The catalog holding the fixture company."""
    sync_catalog(db, [company_source()])
    return Catalog(db)


@pytest.fixture
def git_root(tmp_path: Path) -> Path:
    return tmp_path / "git"


@pytest.fixture
def make_scaffolder(db: Engine, company: Catalog, tmp_path: Path) -> MakeScaffolder:
    """A scaffolder over the company with both fixture template folders; settings overridable."""

    def make(publisher: GitRemotePublisher | None = None, **overrides: Any) -> Scaffolder:
        values: dict[str, Any] = {
            "template_dirs": [
                TemplateDirSettings(path=Path("templates/trusted"), trusted=True),
                TemplateDirSettings(path=Path("templates/untrusted"), trusted=False),
                TemplateDirSettings(path=Path("cookiecutter"), trusted=False),
            ],
            "remote_url_template": f"file://{tmp_path}/git/{{name}}.git",
            "admins": [ROOT],
            "time_limit_seconds": 60,
        }
        settings = ScaffolderSettings(**(values | overrides))
        publisher = publisher or GitRemotePublisher(settings.remote_url_template, timeout=30)
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
        return Scaffolder(
            settings=settings,
            engine=db,
            catalog=company,
            publisher=publisher,
            locations=RegisteredLocationsSource(db, cache_dir=tmp_path / "cache"),
            base_dir=FIXTURES,
            work_root=work,
        )

    return make


@pytest.fixture
def scaffolder(make_scaffolder: MakeScaffolder) -> Scaffolder:
    return make_scaffolder()


@pytest.fixture
def ada(scaffolder: Scaffolder) -> Caller:
    return scaffolder.caller(ADA)
