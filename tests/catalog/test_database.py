"""The schema check every command makes: the newest revision is known without Alembic."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, select, text

import catalog.database
from catalog.database import (
    as_utc,
    create_database_engine,
    insert_tuples,
    newest_revision,
    upgrade_schema,
    writer,
)
from catalog.tables import sync_runs

_SCHEMA = Path(catalog.database.__file__).parent / "schema"


def test_each_revision_file_is_named_for_its_id_and_the_newest_name_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(_SCHEMA))
    script = ScriptDirectory.from_config(config)
    for revision in script.walk_revisions():
        assert Path(str(revision.path)).stem == revision.revision
    assert [newest_revision()] == list(script.get_heads())


def test_a_database_behind_the_newest_revision_is_upgraded(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade_schema(engine, "0001_catalog")
    upgrade_schema(engine)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == newest_revision()
    upgrade_schema(engine)  # and an up-to-date one is left alone
    engine.dispose()


def test_rows_inserted_as_tuples_keep_each_rows_own_time(engine: Engine) -> None:
    """The sync's bulk insert formats a time once for the rows that share it; rows whose
    times alternate still get their own."""
    first = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    second = datetime(2026, 12, 7, 11, 30, 15, 250, tzinfo=UTC)
    times = [first, first, second, first, second, second]
    rows = [("manual", "ok", at) for at in times]
    with writer(engine).begin() as conn:
        insert_tuples(conn, sync_runs, ("trigger", "status", "started_at"), iter(rows))
    with engine.connect() as conn:
        stored = conn.execute(select(sync_runs.c.started_at).order_by(sync_runs.c.id)).scalars()
        assert [as_utc(at) for at in stored] == times
