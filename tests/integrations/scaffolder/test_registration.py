"""On SQLite and PostgreSQL: a created repository stays in the catalog through later syncs
(which read what the team pushed since), survives its repository going missing, and of two
people creating the same name at once exactly one wins."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog import Catalog
from catalog.sync import sync_catalog
from integrations.errors import NameTaken, SubmissionInvalid
from integrations.scaffolder import Caller, RegisteredLocationsSource, Scaffolder
from tests.integrations.scaffolder.scaffold_company import (
    ADA,
    GRACE,
    MakeScaffolder,
    company_source,
)


@pytest.fixture
def db(engine: Engine) -> Engine:
    return engine


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def test_the_next_sync_keeps_registered_entities_and_reads_changes_pushed_since(
    scaffolder: Scaffolder, ada: Caller, db: Engine, company: Catalog, tmp_path: Path
) -> None:
    result = scaffolder.run(
        "python-service", {"name": "ledger", "description": "Keeps the books."}, ada
    )
    clone = tmp_path / "clone"
    git("clone", "-q", result.repository.clone_url, str(clone))
    info = clone / "catalog-info.yaml"
    info.write_text(info.read_text().replace("Keeps the books.", "Keeps all the books."))
    git("-c", "user.name=Ada", "-c", "user.email=ada@x", "commit", "-qam", "docs", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)

    sources = [company_source(), RegisteredLocationsSource(db, cache_dir=tmp_path / "cache")]
    report = sync_catalog(db, sources)
    assert report.status == "ok"
    assert report.sources[1].updated == [str(result.entity_ref)]
    stored = company.get(result.entity_ref)
    assert stored is not None
    assert stored.entity.metadata.description == "Keeps all the books."
    assert sync_catalog(db, sources).sources[1].unchanged == 1


def test_a_registered_repository_that_cannot_be_read_keeps_its_entity(
    scaffolder: Scaffolder, ada: Caller, db: Engine, company: Catalog, tmp_path: Path
) -> None:
    result = scaffolder.run("python-library", {"name": "ledger", "description": "Books."}, ada)
    (tmp_path / "git" / "ledger.git").rename(tmp_path / "git" / "moved.git")
    report = sync_catalog(db, [RegisteredLocationsSource(db, cache_dir=tmp_path / "cache")])
    assert report.sources[0].removed == []
    assert "its entities are kept as they were" in report.sources[0].errors[0].message
    assert company.get(result.entity_ref) is not None


def test_two_people_creating_the_same_name_at_once_exactly_one_wins(
    make_scaffolder: MakeScaffolder, db: Engine, company: Catalog, tmp_path: Path
) -> None:
    # two scaffolders, as in two web processes sharing the database
    first, second = make_scaffolder(), make_scaffolder()
    people = [(first, first.caller(ADA)), (second, second.caller(GRACE))]
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def create(scaffolder: Scaffolder, caller: Caller) -> None:
        start.wait()
        try:
            outcomes.append(
                scaffolder.run("python-library", {"name": "ledger", "description": "x"}, caller)
            )
        except (NameTaken, SubmissionInvalid) as error:
            outcomes.append(error)

    threads = [threading.Thread(target=create, args=pair) for pair in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(losers) == 1
    assert "ledger" in str(losers[0])
    assert [p.name for p in (tmp_path / "git").iterdir()] == ["ledger.git"]
    assert len(company.named("ledger")) == 1
    statuses = sorted(run.status for run in first.runs())
    assert statuses == ["failed", "succeeded"]
