"""A full disk under the data folder during a docs build: the build fails with an error that
says so, the last good site keeps being served, and nothing half-written is served. The
disk is a real one: a size-limited tmpfs mounted for the test (as root, as CI runs)."""

from __future__ import annotations

from pathlib import Path

import httpx

from catalog import Catalog, parse_ref
from integrations.techdocs import build_all_docs, load_builds
from tests.full_disk import fill, small_disk  # noqa: F401 - small_disk is a fixture

from .docs_world import PAYMENTS_DOCS, docs_settings, make_repo, serve, sqlite_engine, sync_folder

PAYMENTS = parse_ref("component:default/payments-api")


def test_a_docs_build_on_a_full_disk_fails_clearly_and_the_last_good_site_stays_served(
    small_disk: Path,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    engine = sqlite_engine(tmp_path / "db.sqlite")  # the database is elsewhere
    repos = tmp_path / "repos"
    make_repo(repos, "payments-api", PAYMENTS_DOCS, owner="team-pay")
    catalog: Catalog = sync_folder(engine, repos)
    settings = docs_settings(small_disk / "techdocs")
    [first] = build_all_docs(catalog, settings).outcomes
    assert first.status == "built", first
    server = serve(settings)
    client = httpx.Client(base_url=next(server).url + "/docs")
    assert "authorises card payments" in client.get("/default/component/payments-api/").text

    ballast = fill(small_disk)
    (repos / "payments-api" / "docs" / "index.md").write_text("# Payments API\n\nRewritten.\n")
    [failed] = build_all_docs(catalog, settings).outcomes
    assert failed.status == "failed"
    assert "No space left on device" in (failed.reason or "")
    assert str(small_disk / "techdocs") in (failed.reason or "")  # where to free space
    [record] = load_builds(engine, [PAYMENTS]).values()
    assert record.status == "failed" and "No space left" in (record.error or "")
    page = client.get("/default/component/payments-api/")
    assert page.status_code == 200 and "authorises card payments" in page.text  # the good one
    leftovers = list((small_disk / "techdocs" / ".tmp").iterdir())
    builds = list(
        (small_disk / "techdocs" / ".builds" / "default" / "component" / "payments-api").iterdir()
    )
    assert leftovers == [] and len(builds) == 1  # the half-written build is gone

    ballast.unlink()
    [rebuilt] = build_all_docs(catalog, settings).outcomes
    assert rebuilt.status == "built"
    assert "Rewritten." in client.get("/default/component/payments-api/").text
    client.close()
    server.close()
