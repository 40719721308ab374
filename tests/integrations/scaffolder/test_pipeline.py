"""Whole runs, on SQLite and PostgreSQL: every shipped template to a local bare repository and
into the catalog (queryable at once, kept and refreshed by the next sync); failures that
leave nothing behind; two people racing for one name; who may not."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest
from conftest import company_source  # type: ignore[import-not-found]
from scaffold_company import ADA, ALAN, GRACE, MakeScaffolder
from sqlalchemy import Engine, func, select

from catalog import Catalog, NotAuthorized, parse_ref
from catalog.sync import sync_catalog
from integrations.errors import NameTaken, PublishFailed, ScaffoldFailed, SubmissionInvalid
from integrations.scaffolder import (
    Caller,
    RegisteredLocationsSource,
    Scaffolder,
    ScaffoldStep,
    registered,
)
from integrations.scaffolder.tables import scaffold_runs


@pytest.fixture
def db(engine: Engine) -> Engine:
    return engine


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def run_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(scaffold_runs)).scalar_one())


def leftovers(tmp_path: Path) -> list[Path]:
    return list((tmp_path / "work").iterdir())


@pytest.mark.parametrize(
    ("template", "values", "spec_type"),
    [
        (
            "python-service",
            {"port": "8000", "system": "system:default/developer-portal"},
            "service",
        ),
        ("python-library", {"include_cli": True, "license": "MIT"}, "library"),
        ("data-job", {"schedule": "30 2 * * 1-5", "output_format": "csv"}, "job"),
    ],
)
def test_each_shipped_template_becomes_a_repository_and_a_catalog_entry(
    scaffolder: Scaffolder,
    ada: Caller,
    db: Engine,
    company: Catalog,
    tmp_path: Path,
    template: str,
    values: dict[str, object],
    spec_type: str,
) -> None:
    steps: list[ScaffoldStep] = []
    result = scaffolder.run(
        template,
        {"name": "ledger", "description": "Keeps the books: every euro."} | values,
        ada,
        progress=lambda step, label: steps.append(step),
    )
    assert steps == ["claiming", "rendering", "checking", "publishing", "registering", "done"]
    bare = tmp_path / "git" / "ledger.git"
    assert result.repository.clone_url == f"file://{bare}"
    author = git("--git-dir", str(bare), "log", "--format=%an <%ae>", "main").strip()
    assert author == "Ada Lovelace <ada.lovelace@globex.example>"
    assert result.registered and result.has_docs and not result.warnings
    stored = company.get(result.entity_ref)
    assert stored is not None
    assert stored.entity.metadata.description == "Keeps the books: every euro."
    assert stored.entity.spec_str("owner") == "group:developer-experience"
    assert stored.entity.spec_str("type") == spec_type
    assert stored.repo_dir is not None and Path(stored.repo_dir, "mkdocs.yml").is_file()
    assert [loc.name for loc in registered(db)] == ["ledger"]
    assert leftovers(tmp_path) == []
    run = scaffolder.runs()[0]
    assert (run.status, run.step, run.entity_ref) == ("succeeded", "done", str(result.entity_ref))
    assert run.values["name"] == "ledger" and run.repository_url == f"file://{bare}"


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


def test_a_template_without_a_catalog_file_gets_one_from_the_standard_fields(
    scaffolder: Scaffolder, ada: Caller, company: Catalog
) -> None:
    result = scaffolder.run(
        "plain",
        {"name": "ledger", "description": "Books.", "system": "system:default/payments"},
        ada,
    )
    stored = company.get(result.entity_ref)
    assert stored is not None
    assert stored.entity.spec == {
        "type": "service",
        "lifecycle": "experimental",
        "owner": "group:developer-experience",
        "system": "system:payments",
    }


def rejecting_repository(path: Path) -> None:
    git("init", "-q", "--bare", str(path))
    hook = path / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'policy: repositories need an approved owner' >&2\nexit 1\n")
    hook.chmod(0o755)


def test_a_rejected_push_leaves_no_repository_entry_or_files_behind(
    scaffolder: Scaffolder, ada: Caller, db: Engine, company: Catalog, tmp_path: Path
) -> None:
    bare = tmp_path / "git" / "ledger.git"
    rejecting_repository(bare)
    with pytest.raises(PublishFailed) as raised:
        scaffolder.run("python-service", {"name": "ledger", "description": "Books."}, ada)
    reason = raised.value.user_message
    assert "pre-receive hook declined; policy: repositories need an approved owner" in reason
    assert git("--git-dir", str(bare), "for-each-ref") == ""
    assert company.get(parse_ref("component:ledger")) is None
    assert registered(db) == []
    assert leftovers(tmp_path) == []
    run = scaffolder.runs()[0]
    assert (run.status, run.error, run.repository_url) == ("failed", reason, None)


def test_a_failing_template_creates_no_repository_and_records_why(
    scaffolder: Scaffolder, ada: Caller, tmp_path: Path
) -> None:
    with pytest.raises(ScaffoldFailed, match="database quota exceeded"):
        scaffolder.run("hook-fails", {"name": "ledger", "description": "Books."}, ada)
    assert not (tmp_path / "git" / "ledger.git").exists()
    assert leftovers(tmp_path) == []
    assert scaffolder.runs()[0].step == "failed"


def test_a_template_over_its_time_limit_is_stopped(
    make_scaffolder: MakeScaffolder, tmp_path: Path
) -> None:
    scaffolder = make_scaffolder(time_limit_seconds=2)
    ada = scaffolder.caller(ADA)
    values = {"name": "ledger", "description": "Books.", "pid_file": str(tmp_path / "pid")}
    with pytest.raises(ScaffoldFailed, match="took longer than 2 s and was stopped"):
        scaffolder.run("slow-hook", values, ada)
    assert not (tmp_path / "git" / "ledger.git").exists()
    assert scaffolder.runs()[0].error is not None


def test_someone_who_may_not_scaffold_is_refused_before_anything_happens(
    make_scaffolder: MakeScaffolder, db: Engine, tmp_path: Path
) -> None:
    scaffolder = make_scaffolder(allowed_groups=["group:payments-core"])
    with pytest.raises(NotAuthorized, match="limited to members of group:payments-core"):
        scaffolder.run(
            "python-service", {"name": "ledger", "description": "x"}, scaffolder.caller(ADA)
        )
    with pytest.raises(NotAuthorized):
        scaffolder.run(
            "python-service", {"name": "ledger", "description": "x"}, scaffolder.caller(ALAN)
        )
    assert run_count(db) == 0
    assert not (tmp_path / "git").exists()


def test_bad_values_are_refused_with_field_errors_before_a_run_starts(
    scaffolder: Scaffolder, ada: Caller, db: Engine
) -> None:
    with pytest.raises(SubmissionInvalid) as raised:
        scaffolder.run("python-service", {"name": "../../etc", "description": ""}, ada)
    assert set(raised.value.errors) == {"name", "description"}
    assert run_count(db) == 0


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
    assert len(company.find_by_name("ledger")) == 1
    statuses = sorted(run.status for run in first.runs())
    assert statuses == ["failed", "succeeded"]
