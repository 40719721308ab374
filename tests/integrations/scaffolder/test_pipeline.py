"""Whole runs: every shipped template to a local bare repository and into the catalog
(queryable at once); failures that leave nothing behind; who may not. What depends on the
database (the next sync, two people racing for a name) is in test_registration.py and runs
on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from catalog import Catalog, NotAuthorized, parse_ref
from integrations.errors import PublishFailed, ScaffoldFailed, SubmissionInvalid
from integrations.scaffolder import (
    Caller,
    Scaffolder,
    ScaffoldStep,
    registered,
)
from integrations.scaffolder.tables import scaffold_runs
from tests.integrations.scaffolder.scaffold_company import ADA, ALAN, MakeScaffolder


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
        ("data-job", {"schedule": "30 2 * * 1-5", "output_format": "csv"}, "data-pipeline"),
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


def test_a_broken_progress_display_does_not_break_the_run(
    scaffolder: Scaffolder, ada: Caller, company: Catalog
) -> None:
    def progress(step: ScaffoldStep, label: str) -> None:
        raise RuntimeError("Slack said no")

    result = scaffolder.run(
        "plain", {"name": "ledger", "description": "Books."}, ada, progress=progress
    )
    assert company.get(result.entity_ref) is not None
    assert scaffolder.runs()[0].status == "succeeded"
