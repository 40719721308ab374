"""The database: one SQLAlchemy MetaData for every table, engines tuned per dialect, schema
upgrades through Alembic (``catalog/schema``), serialised across processes on PostgreSQL."""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    literal_column,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "as_utc",
    "create_database_engine",
    "database_unavailable",
    "insert_many",
    "insert_tuples",
    "metadata",
    "newest_revision",
    "one_of",
    "one_of_param",
    "one_of_value",
    "reader",
    "upgrade_schema",
    "writer",
]

DEFAULT_DATABASE_URL = "sqlite:///greenroom.db"


def as_utc(value: datetime) -> datetime:
    """Aware UTC for a time read back from a column: SQLite hands back naive UTC, PostgreSQL
    an aware time in the session's zone. Every reader of a timestamp column goes through here."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: Every table of every package lives on this MetaData (packages define their own tables).
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_SCHEMA_DIR = Path(__file__).parent / "schema"


def create_database_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (psycopg 3)."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(parsed, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # Writers take the lock up front (IMMEDIATE), so two of them queue instead of failing.
    # Marked readers open no transaction at all: each SELECT is consistent on its own (WAL),
    # and skipping BEGIN/ROLLBACK halves the statements of a short query.
    options = connection.get_execution_options()
    if options.get("greenroom_write", False):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif not options.get("greenroom_read", False):
        connection.exec_driver_sql("BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, for transactions that write (takes SQLite's lock at BEGIN)."""
    return engine.execution_options(greenroom_write=True)


def reader(engine: Engine) -> Engine:
    """The same engine, for single-statement reads (no transaction around them on SQLite)."""
    return engine.execution_options(greenroom_read=True)


def one_of(
    column: ColumnElement[Any], values: Collection[str], dialect: str
) -> ColumnElement[bool]:
    """``column IN values`` with ``values`` as one bound parameter: a JSON array read by
    ``json_each`` on SQLite, an array on PostgreSQL. The statement compiles once for any
    number of values (an expanding IN is rendered anew for each list) and no driver limit on
    parameters applies, so callers need not split long lists."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
    listed = func.json_each(bindparam(None, json.dumps(list(values))))
    return column.in_(select(literal_column("value")).select_from(listed))


def one_of_param(column: ColumnElement[Any], name: str, dialect: str) -> ColumnElement[bool]:
    """``one_of`` with the values given when the statement runs, as parameter ``name``
    (:func:`one_of_value`): a statement read on every answer is then built once, not anew."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(String)))
    listed = func.json_each(bindparam(name, type_=String))
    return column.in_(select(literal_column("value")).select_from(listed))


def one_of_value(values: Collection[str], dialect: str) -> Any:
    """The value of a :func:`one_of_param` parameter."""
    return list(values) if dialect == "postgresql" else json.dumps(list(values))


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database is not answering (down, restarting, unreachable,
    its connection cut): a passing state to tell users about, not a bug. The pool's
    pre-ping replaces the dead connections once it answers again."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the database to the newest schema; several processes may call this at once."""
    if revision == "head" and _current_revision(engine) == newest_revision():
        return  # the usual case, without importing Alembic (a third of a CLI command's time)
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCHEMA_DIR))
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('greenroom-schema'))"))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def newest_revision() -> str:
    """The head of the schema's revision chain. Each revision file is named for its revision
    id and the ids sort in chain order (tests/catalog/test_database.py holds them to it), so
    the newest is the greatest name."""
    return max(path.stem for path in (_SCHEMA_DIR / "versions").glob("[0-9]*.py"))


def _current_revision(engine: Engine) -> str | None:
    with reader(engine).connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return versions[0][0] if len(versions) == 1 else None


def insert_many(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) in executemany calls straight to the driver:
    for tens of thousands of rows SQLAlchemy's per-row parameter handling costs more than the
    inserts themselves. Values still go through each column type's bind processor, so they
    are stored exactly as SQLAlchemy would store them. Rows are taken ``_INSERT_BATCH`` at a
    time, so a generator of rows is never held whole."""
    batches = _batched(rows)
    first = next(batches, None)
    if not first:
        return
    columns = list(first[0])
    if len(columns) == 1:
        params: Iterable[tuple[Any, ...]] = ((row[columns[0]],) for row in _chained(first, batches))
    else:
        params = map(operator.itemgetter(*columns), _chained(first, batches))
    insert_tuples(conn, table, columns, params)


def insert_tuples(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """``insert_many`` for rows that are already tuples of ``columns``' values: a sync's
    100,000 entities and 380,000 relations need no dict each (about 1 s of its CPU)."""
    processors = [table.c[name].type.bind_processor(conn.dialect) for name in columns]
    processed = [
        (i, _last_kept(p) if isinstance(table.c[columns[i]].type, DateTime) else p)
        for i, p in enumerate(processors)
        if p is not None
    ]
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    # Table and column names come from our own Table objects, never from input.
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    for batch in _batched(rows):
        params = list(batch)
        if processed:
            params = [_processed(row, processed) for row in params]
        conn.exec_driver_sql(sql, params)


def _last_kept(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process`` that answers again for the value it was just given (a sync's rows share
    one time: SQLite's DateTime formatting cost 0.3 s per 100,000 entities)."""
    last: list[Any] = [_NOTHING, None]

    def processed(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]

    return processed


_NOTHING = object()


def _chained(
    first: tuple[dict[str, Any], ...], rest: Iterator[tuple[dict[str, Any], ...]]
) -> Iterator[dict[str, Any]]:
    yield from first
    for batch in rest:
        yield from batch


_INSERT_BATCH = 5000
_T = TypeVar("_T")


def _processed(values: tuple[Any, ...], processors: list[tuple[int, Any]]) -> tuple[Any, ...]:
    row = list(values)
    for i, process in processors:
        row[i] = process(row[i])
    return tuple(row)


def _batched(rows: Iterable[_T]) -> Iterator[tuple[_T, ...]]:
    iterator = iter(rows)
    while batch := tuple(itertools.islice(iterator, _INSERT_BATCH)):
        yield batch
