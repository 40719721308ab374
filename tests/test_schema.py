"""The Alembic migrations build exactly the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

import catalog.tables
import catalog.tech_migrations.tables
import integrations.actions.tables
import integrations.delivery.tables
import integrations.kpis.tables
import integrations.kubernetes.tables
import integrations.pipelines.tables
import integrations.scaffolder.tables
import integrations.techdocs.tables
import jobs.tables
import slackkit.tables
from catalog.database import metadata, upgrade_schema

#: Every module that declares tables; the comparison below covers them all.
TABLE_MODULES = (
    slackkit.tables,
    catalog.tables,
    catalog.tech_migrations.tables,
    integrations.kubernetes.tables,
    integrations.kpis.tables,
    integrations.pipelines.tables,
    integrations.actions.tables,
    integrations.techdocs.tables,
    integrations.scaffolder.tables,
    jobs.tables,
    integrations.delivery.tables,
)


def test_migrations_match_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    upgrade_schema(engine)
    upgrade_schema(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() is not None
