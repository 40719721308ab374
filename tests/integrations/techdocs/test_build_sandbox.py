"""The build sandbox's path rules: folders are compared after symlinks, never by prefix."""

from __future__ import annotations

from pathlib import Path

from integrations.techdocs._build_sandbox import BuildSandbox


def sandbox(tmp_path: Path) -> BuildSandbox:
    for name in ("src", "site", "python"):
        (tmp_path / name).mkdir()
    return BuildSandbox(
        read=[str(tmp_path / "src"), str(tmp_path / "python")], write=[str(tmp_path / "site")]
    )


def test_files_in_the_allowed_folders_can_be_read_and_only_the_site_written(
    tmp_path: Path,
) -> None:
    walls = sandbox(tmp_path)
    assert walls.allows_read(str(tmp_path / "src" / "docs" / "index.md"))
    assert walls.allows_read(str(tmp_path / "site" / "index.html"))
    assert walls.allows_write(str(tmp_path / "site" / "index.html"))
    assert not walls.allows_write(str(tmp_path / "src" / "mkdocs.yml"))
    assert not walls.allows_read("/etc/passwd")


def test_a_sibling_folder_sharing_the_prefix_is_outside(tmp_path: Path) -> None:
    walls = sandbox(tmp_path)
    (tmp_path / "site-evil").mkdir()
    assert not walls.allows_write(str(tmp_path / "site-evil" / "x"))
    assert not walls.allows_read(str(tmp_path / "srcx" / "x"))


def test_symlinks_and_dot_dots_are_judged_by_where_they_lead(tmp_path: Path) -> None:
    walls = sandbox(tmp_path)
    (tmp_path / "src" / "passwd").symlink_to("/etc/passwd")
    assert not walls.allows_read(str(tmp_path / "src" / "passwd"))
    assert not walls.allows_read(str(tmp_path / "src" / ".." / ".." / "etc" / "passwd"))
    (tmp_path / "site" / "out").symlink_to(tmp_path / "src")
    assert not walls.allows_write(str(tmp_path / "site" / "out" / "mkdocs.yml"))
