"""Building all docs: real mkdocs builds, records on SQLite and PostgreSQL, incremental runs,
the atomic swap that keeps the last good site, and removal of docs that are gone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
from sqlalchemy import Engine

from catalog import parse_ref
from integrations.techdocs import build_all_docs, docs_generation, load_builds
from integrations.techdocs.storage import SiteStorage

from .docs_world import (
    BROKEN_DOCS,
    PAYMENTS_DOCS,
    docs_settings,
    make_repo,
    serve,
    sync_folder,
    write_files,
)

PAYMENTS = parse_ref("component:default/payments-api")


def test_builds_the_site_records_it_and_skips_it_when_nothing_changed(
    engine: Engine, tmp_path: Path
) -> None:
    make_repo(tmp_path / "repos", "payments-api", PAYMENTS_DOCS, owner="team-pay")
    catalog = sync_folder(engine, tmp_path / "repos")
    settings = docs_settings(tmp_path / "sites")
    progress: list[tuple[int, int, str | None]] = []

    report = build_all_docs(
        catalog, settings, progress=lambda d, t, o: progress.append((d, t, o and o.status))
    )

    assert [(o.ref, o.status) for o in report.outcomes] == [(PAYMENTS, "built")]
    assert progress == [(0, 1, None), (1, 1, "built")]
    site = SiteStorage(settings.root).live(PAYMENTS)
    assert site is not None
    assert "Restart the pods" in (site / "runbook" / "index.html").read_text()
    metadata = json.loads((site / "techdocs_metadata.json").read_text())
    assert metadata["site_name"] == "Payments API"
    assert metadata["site_description"] == "Moves money"
    assert "index.html" in metadata["files"] and "search/search_index.json" in metadata["files"]
    assert [n["title"] for n in metadata["nav"]] == ["Overview", "Runbook", "Refunds guide"]
    record = load_builds(engine)[PAYMENTS]
    assert record.status == "ok" and record.error is None
    assert record.source_hash == metadata["source_hash"] == metadata["etag"]
    assert [(n.title, n.path) for n in record.nav] == [
        ("Overview", ""),
        ("Runbook", "runbook/"),
        ("Refunds guide", "guides/refunds/"),
    ]
    generation = docs_generation(engine)

    again = build_all_docs(catalog, settings)

    assert [o.status for o in again.outcomes] == ["unchanged"]
    assert docs_generation(engine) == generation
    assert SiteStorage(settings.root).live(PAYMENTS) == site

    forced = build_all_docs(catalog, settings, [PAYMENTS], force=True)
    assert [o.status for o in forced.outcomes] == ["built"]
    assert docs_generation(engine) > generation
    assert not site.exists(), "the replaced build is deleted"


def test_failed_rebuild_keeps_the_last_good_site_and_records_why(
    engine: Engine, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repos", "payments-api", PAYMENTS_DOCS, owner="team-pay")
    catalog = sync_folder(engine, tmp_path / "repos")
    settings = docs_settings(tmp_path / "sites")
    build_all_docs(catalog, settings)
    good = load_builds(engine)[PAYMENTS]
    write_files(repo, {"docs/runbook.md": "# Runbook\n\nSee [the old page](gone.md).\n"})

    report = build_all_docs(catalog, settings)

    assert report.outcomes[0].status == "failed"
    assert report.outcomes[0].reason == (
        "page runbook.md links to missing gone.md (strict mode: warnings fail the build)"
    )
    assert report.exit_code == 1
    site = SiteStorage(settings.root).live(PAYMENTS)
    assert site is not None and "Restart the pods" in (site / "runbook" / "index.html").read_text()
    for server in serve(settings):
        served = httpx.get(f"{server.url}/docs/default/component/payments-api/runbook/")
        assert served.status_code == 200 and "Restart the pods" in served.text
    record = load_builds(engine)[PAYMENTS]
    assert record.status == "failed"
    assert record.error == report.outcomes[0].reason
    assert record.built_at == good.built_at and record.site_hash == good.site_hash
    assert record.nav == good.nav
    leftovers = list((settings.root / ".builds").rglob("index.html"))
    assert all(p.is_relative_to(site) for p in leftovers), "the failed build left nothing behind"
    assert build_all_docs(catalog, settings).outcomes[0].status == "unchanged"

    write_files(repo, {"docs/runbook.md": "# Runbook\n\nFixed.\n"})
    fixed = build_all_docs(catalog, settings)
    assert fixed.outcomes[0].status == "built"
    assert load_builds(engine)[PAYMENTS].error is None


def test_docs_of_entities_that_lost_them_are_removed(engine: Engine, tmp_path: Path) -> None:
    repos = tmp_path / "repos"
    make_repo(repos, "payments-api", PAYMENTS_DOCS, owner="team-pay")
    make_repo(repos, "broken", BROKEN_DOCS, owner="team-pay")
    catalog = sync_folder(engine, repos)
    settings = docs_settings(tmp_path / "sites")
    build_all_docs(catalog, settings)
    shutil.rmtree(repos / "payments-api")
    make_repo(repos, "broken", BROKEN_DOCS, owner="team-pay", annotation=None)
    catalog = sync_folder(engine, repos)

    report = build_all_docs(catalog, settings)

    assert set(report.removed) == {PAYMENTS, parse_ref("component:default/broken")}
    assert load_builds(engine) == {}
    assert SiteStorage(settings.root).published_refs() == []


def test_a_ref_without_docs_is_reported_not_built(engine: Engine, tmp_path: Path) -> None:
    make_repo(tmp_path / "repos", "plain", {}, owner="team-pay", annotation=None)
    catalog = sync_folder(engine, tmp_path / "repos")
    report = build_all_docs(
        catalog, docs_settings(tmp_path / "sites"), [parse_ref("component:plain")]
    )
    assert [(o.status, o.reason) for o in report.outcomes] == [
        ("no_docs", "component:plain has no backstage.io/techdocs-ref annotation")
    ]
