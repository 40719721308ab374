"""A full disk under the data folder during a docs build: the build fails with an error that
says so, the last good site keeps being served, and nothing half-written is served. The
disk is a real one: a size-limited tmpfs mounted for the test (as root, as CI runs)."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalog import Catalog, parse_ref
from integrations.techdocs import build_all_docs, load_builds

from .docs_world import PAYMENTS_DOCS, docs_settings, make_repo, serve, sqlite_engine, sync_folder

PAYMENTS = parse_ref("component:default/payments-api")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB filesystem of its own, unmounted afterwards."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'not root'})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI runs as root and must run this test")
        pytest.skip(reason)
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def fill(disk: Path) -> Path:
    """Write a ballast file until the filesystem refuses (ENOSPC); returns it."""
    ballast = disk / "ballast"
    with ballast.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return ballast


def test_a_docs_build_on_a_full_disk_fails_clearly_and_the_last_good_site_stays_served(
    small_disk: Path, tmp_path: Path
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
