"""SIGTERM in the middle of ``greenroom sync`` (a deploy, ``kill``, a container stop): the
source being written rolls back, the run is recorded as interrupted with the signal, and the
next sync does the work again. On PostgreSQL, where the test can hold the sync mid-write: a
lock it takes on ``relations`` stops the sync after it wrote a source's entities and before
that source's relations."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psycopg
from sqlalchemy import func, select

from catalog.database import create_database_engine
from catalog.tables import entities, sync_runs

REPO = Path(__file__).resolve().parents[2]
GREENROOM = REPO / ".venv" / "bin" / "greenroom"


def _sync(url: str, examples_dir: Path, cwd: Path) -> subprocess.Popen[str]:
    config = str(examples_dir / "greenroom.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENROOM_")}
    return subprocess.Popen(
        [str(GREENROOM), "--config", config, "--database-url", url, "sync", "--json"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _waiting_on_a_lock(admin: psycopg.Connection, database: str) -> bool:
    row = admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
        (database,),
    ).fetchone()
    return bool(row and row[0])


def test_sigterm_mid_write_rolls_back_records_interrupted_and_the_next_sync_redoes_it(
    empty_postgres_url: str, examples_dir: Path, tmp_path: Path
) -> None:
    postgres_url = empty_postgres_url
    database = postgres_url.rsplit("/", 1)[1]
    engine = create_database_engine(postgres_url)
    with psycopg.connect(postgres_url) as holder, psycopg.connect(postgres_url) as admin:
        admin.autocommit = True
        holder.execute("LOCK TABLE relations IN SHARE MODE")  # inserts wait; reads do not
        sync = _sync(postgres_url, examples_dir, tmp_path)
        deadline = time.monotonic() + 60
        while not _waiting_on_a_lock(admin, database):
            assert sync.poll() is None, sync.communicate()
            assert time.monotonic() < deadline, "the sync never reached the relations"
            time.sleep(0.1)
        sync.send_signal(signal.SIGTERM)
        _, stderr = sync.communicate(timeout=30)
        holder.rollback()
    assert sync.returncode == 143  # 128 + SIGTERM, once it had unwound
    assert "Traceback" not in stderr
    assert "Stopped: SIGTERM received" in stderr
    with engine.connect() as conn:
        [run] = conn.execute(select(sync_runs.c.status, sync_runs.c.report)).all()
        stored = conn.execute(select(func.count()).select_from(entities)).scalar_one()
    assert run.status == "interrupted"
    assert run.report == {"error": "interrupted: SIGTERM received: the process was asked to stop"}
    assert stored == 0  # the entities it had written were rolled back with the rest

    again = _sync(postgres_url, examples_dir, tmp_path)
    again.communicate(timeout=120)
    assert again.returncode == 0
    with engine.connect() as conn:
        statuses = conn.execute(select(sync_runs.c.status).order_by(sync_runs.c.id)).scalars()
        assert list(statuses) == ["interrupted", "ok"]
        assert conn.execute(select(func.count()).select_from(entities)).scalar_one() > 100
    engine.dispose()
