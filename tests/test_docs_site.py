"""greenroom's own documentation builds strictly: every page in the nav, no broken links."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_documentation_site_builds_without_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "catalog" / "index.html").is_file()
    listed = {
        line.split(":", 1)[1].strip()
        for line in (REPO / "mkdocs.yml").read_text().splitlines()
        if line.strip().startswith("- ") and ".md" in line
    }
    pages = {p.name for p in (REPO / "docs").glob("*.md")}
    assert pages == listed, f"pages missing from the nav: {sorted(pages - listed)}"
