"""The copy of a repository's docs that mkdocs is allowed to see, and its fingerprint.

mkdocs never reads the repository itself: we copy the docs folder into a staging folder
(refusing symlinks that leave the repository, with size limits), add ``index.md`` from the
root ``README.md`` when the docs have no home page (Backstage's fallback order: ``docs/index.md``,
``docs/README.md``, then ``README.md``), and write the sanitized ``mkdocs.yml`` beside it.
The fingerprint covers exactly the inputs: ``mkdocs.yml``, the docs tree and the READMEs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integrations.errors import DocsBuildFailed
from integrations.techdocs.mkdocs_config import SanitizedConfig, inside_path
from integrations.techdocs.mkdocs_yaml import dump_mkdocs_yaml, load_mkdocs_yaml
from integrations.techdocs.source import DocsSource

__all__ = ["StagedDocs", "read_config", "source_hash", "stage_docs"]

_CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
_ROOT_READMES = ("README.md", "readme.md")
_SKIPPED_DIRS = {".git", "node_modules", "__pycache__"}


@dataclass(frozen=True, slots=True)
class StagedDocs:
    """The staging folder ready for mkdocs: its config file, and notes for the user."""

    config_file: Path
    warnings: tuple[str, ...]


def _config_file(root: Path) -> Path | None:
    return next((root / n for n in _CONFIG_NAMES if (root / n).is_file()), None)


def read_config(source: DocsSource, default_site_name: str) -> dict[str, Any]:
    """The repository's mkdocs config as data, or Backstage's default when there is none."""
    path = _config_file(source.root)
    if path is None:
        return {"site_name": default_site_name, "docs_dir": "docs", "plugins": ["techdocs-core"]}
    _refuse_outside(source.root, path)
    return load_mkdocs_yaml(path.read_bytes())


def source_hash(source: DocsSource, recipe: str) -> str:
    """A fingerprint of every file the build reads, plus how we build (``recipe``)."""
    digest = hashlib.sha256(recipe.encode())
    config = _config_file(source.root)
    docs_dir = "docs"
    if config is not None:
        data = config.read_bytes() if not config.is_symlink() else b"symlink"
        digest.update(b"C" + config.name.encode() + b"\0" + data)
        try:
            docs_dir = inside_path(load_mkdocs_yaml(data).get("docs_dir", "docs")) or "docs"
        except Exception:
            docs_dir = "docs"
    for name in _ROOT_READMES:
        readme = source.root / name
        if readme.is_file() and not readme.is_symlink():
            digest.update(b"R" + name.encode() + b"\0" + readme.read_bytes())
    folder = source.root / docs_dir
    for path in sorted(_walk(folder)) if folder.is_dir() and not folder.is_symlink() else []:
        rel = path.relative_to(folder).as_posix().encode()
        if path.is_symlink():
            digest.update(b"L" + rel + b"\0" + str(path.readlink()).encode())
        else:
            digest.update(b"F" + rel + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for current, dirs, files in os.walk(folder):
        here = Path(current)
        found.extend(here / d for d in dirs if (here / d).is_symlink())
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS and not (here / d).is_symlink()]
        found.extend(here / f for f in files)
    return found


def stage_docs(
    source: DocsSource,
    config: SanitizedConfig,
    staging: Path,
    *,
    max_files: int,
    max_bytes: int,
) -> StagedDocs:
    """Copy the docs into ``staging`` and write the config; DocsBuildFailed says what is wrong."""
    warnings: list[str] = []
    origin = source.root / config.docs_dir
    target = staging / config.docs_dir
    target.mkdir(parents=True, exist_ok=True)
    if origin.exists() or origin.is_symlink():
        _refuse_outside(source.root, origin)
        _copy_tree(source.root, origin, target, config.docs_dir, warnings, max_files, max_bytes)
    if not any((target / n).is_file() for n in ("index.md", "README.md", "readme.md")):
        readme = next((source.root / n for n in _ROOT_READMES if (source.root / n).is_file()), None)
        if readme is not None:
            _refuse_outside(source.root, readme)
            shutil.copyfile(readme, target / "index.md")
        elif not origin.is_dir():
            raise DocsBuildFailed(
                f"no docs: the folder {config.docs_dir}/ does not exist and there is no README.md"
            )
        else:
            warnings.append(f"{config.docs_dir}/ has no index.md or README.md: no home page")
    for nav_file in config.nav_files:
        if not (target / nav_file).is_file():
            raise DocsBuildFailed(
                f"nav refers to missing file {nav_file!r} (looked in {config.docs_dir}/)"
            )
    config_file = staging / "mkdocs.yml"
    config_file.write_text(dump_mkdocs_yaml(config.config), encoding="utf-8")
    return StagedDocs(config_file, tuple(warnings))


def _refuse_outside(root: Path, path: Path) -> None:
    if not path.resolve().is_relative_to(root.resolve()):
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        raise DocsBuildFailed(f"{rel} is a symlink pointing outside the repository; not allowed")


def _copy_tree(
    root: Path,
    origin: Path,
    target: Path,
    label: str,
    warnings: list[str],
    max_files: int,
    max_bytes: int,
) -> None:
    files = size = 0
    for path in sorted(_walk(origin)):
        rel = path.relative_to(origin)
        _refuse_outside(root, path)
        if not path.exists():
            warnings.append(f"{label}/{rel.as_posix()} is a broken symlink; skipped")
            continue
        if path.is_dir():
            warnings.append(f"{label}/{rel.as_posix()} is a folder symlink; not followed")
            continue
        files += 1
        size += path.stat().st_size
        if files > max_files or size > max_bytes:
            raise DocsBuildFailed(
                f"{label}/ is too large to build (limit: {max_files} files, "
                f"{max_bytes // (1024 * 1024)} MiB)"
            )
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
