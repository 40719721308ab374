"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

Every test that takes ``engine`` runs twice, once per database. The schema comes from the real
Alembic migrations, built once per session (SQLite: a template file copied per test;
PostgreSQL: one database per xdist worker, truncated per test). PostgreSQL tests are skipped
with a visible reason when the server is unreachable, unless CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from catalog import Catalog
from catalog.database import create_database_engine, upgrade_schema

REPO = Path(__file__).resolve().parent.parent
CORPUS_CANDIDATES = [
    Path(os.environ.get("GREENROOM_BACKSTAGE_CORPUS", "/nonexistent")),
    REPO.parent / "shared" / "corpora" / "backstage-examples",
    Path("/work/shared/corpora/backstage-examples"),
]
EXAMPLES = REPO / "examples"
PG_ADMIN_URL = os.environ.get(
    "GREENROOM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)

for _proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_proxy, None)


def _postgres_reason() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return f"PostgreSQL unreachable at {PG_ADMIN_URL}: {str(error).strip()[:200]}"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """Backstage's own example catalog, copied verbatim (``$GREENROOM_BACKSTAGE_CORPUS``)."""
    for candidate in CORPUS_CANDIDATES:
        if (candidate / "all.yaml").is_file():
            return candidate
    reason = f"Backstage example corpus not found in {[str(c) for c in CORPUS_CANDIDATES]}"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The bundled example company."""
    return EXAMPLES


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "template.db"
    engine = create_database_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url(worker_id: str, request: pytest.FixtureRequest) -> Iterator[str]:
    reason = _postgres_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true requires PostgreSQL)")
        pytest.skip(reason)
    # One database per xdist worker and test run: two runs at once (two checkouts) must not
    # drop each other's databases.
    prefix = os.environ.get("GREENROOM_TEST_DB_PREFIX", "greenroom_test")
    run = getattr(request.config, "workerinput", {}).get("testrunuid") or uuid.uuid4().hex
    name = f"{prefix}_{run[:8]}_{worker_id}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = create_database_engine(url)
    upgrade_schema(engine)
    engine.dispose()
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """The xdist worker name (``master`` without xdist)."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


def _truncate(engine: Engine) -> None:
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty, migrated database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "greenroom.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = create_database_engine(url)
    _truncate(engine)
    engine.dispose()
    yield url


@pytest.fixture
def empty_postgres_url(postgres_url: str) -> str:
    """The worker's PostgreSQL database, emptied for this test (for tests that need
    PostgreSQL itself, e.g. its locks)."""
    engine = create_database_engine(postgres_url)
    _truncate(engine)
    engine.dispose()
    return postgres_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database (runs once per dialect)."""
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def catalog(engine: Engine) -> Catalog:
    """The catalog over the fresh database."""
    return Catalog(engine)
