"""The schema check every command makes: the newest revision is known without Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

import catalog.database
from catalog.database import create_database_engine, newest_revision, upgrade_schema

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
