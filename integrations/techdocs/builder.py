"""Building one entity's site: resolve, fingerprint, sanitize, stage, run mkdocs, publish.

Nothing is rebuilt when the fingerprint of the sources (and of how we build) is the one last
attempted, unless forced. A failure keeps the last good site and records the reason.
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine

from catalog import EntityRef, StoredEntity
from integrations.errors import DocsBuildFailed, DocsSourceUnavailable
from integrations.techdocs.links import DocsLinks
from integrations.techdocs.metadata import write_site_metadata
from integrations.techdocs.mkdocs_config import sanitize_mkdocs_config
from integrations.techdocs.mkdocs_process import run_mkdocs
from integrations.techdocs.records import DocsBuild, save_build
from integrations.techdocs.settings import TechDocsSettings
from integrations.techdocs.source import DocsSource, UrlFolders, resolve_docs_source
from integrations.techdocs.staging import read_config, source_hash, stage_docs
from integrations.techdocs.storage import SiteBusy, SiteStorage

__all__ = ["BuildOutcome", "OutcomeStatus", "build_site"]

_RECIPE_VERSION = "2"  # 2: option schemas and the build sandbox
OutcomeStatus = Literal["built", "unchanged", "failed", "unavailable", "busy", "no_docs"]

#: What a write says when the disk (or the user's quota) is full.
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    """What happened to one entity's docs in this run."""

    ref: EntityRef
    status: OutcomeStatus
    reason: str | None = None
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()


def build_site(
    engine: Engine,
    stored: StoredEntity,
    settings: TechDocsSettings,
    *,
    previous: DocsBuild | None,
    force: bool = False,
    repositories: UrlFolders | None = None,
) -> BuildOutcome:
    """Build (or skip) one entity's docs and record the result; ``repositories`` clones the
    repositories ``url:`` refs name."""
    started = time.monotonic()
    storage = SiteStorage(settings.root)
    now = datetime.now(UTC)
    try:
        source = resolve_docs_source(stored, repositories)
    except DocsSourceUnavailable as error:
        _record_problem(engine, stored.ref, previous, "unavailable", error, None, now)
        return BuildOutcome(stored.ref, "unavailable", error.user_message)
    except DocsBuildFailed as error:
        _record_problem(engine, stored.ref, previous, "failed", error, None, now)
        return BuildOutcome(stored.ref, "failed", error.user_message)
    name = _default_site_name(stored)
    site_url = _site_url(settings, stored.ref)
    fingerprint = source_hash(source, _recipe(settings, site_url, name))
    unchanged = not force and previous is not None and previous.source_hash == fingerprint
    if unchanged and previous and (previous.status != "ok" or storage.live(stored.ref)):
        return BuildOutcome(stored.ref, "unchanged", previous.error)
    try:
        with storage.lock(stored.ref):
            return _build_locked(engine, stored, settings, source, previous, fingerprint, started)
    except SiteBusy:
        return BuildOutcome(stored.ref, "busy", "another process is building these docs")


def _build_locked(
    engine: Engine,
    stored: StoredEntity,
    settings: TechDocsSettings,
    source: DocsSource,
    previous: DocsBuild | None,
    fingerprint: str,
    started: float,
) -> BuildOutcome:
    storage = SiteStorage(settings.root)
    scratch = site = None
    now = datetime.now(UTC)
    try:
        scratch = storage.scratch()
        site = storage.new_build(stored.ref)
        config = sanitize_mkdocs_config(
            read_config(source, _default_site_name(stored)),
            default_site_name=_default_site_name(stored),
            site_url=_site_url(settings, stored.ref),
            strict=settings.strict,
            extra_plugins=settings.extra_plugins,
            extra_extensions=settings.extra_markdown_extensions,
        )
        staged = stage_docs(
            source,
            config,
            scratch / "src",
            max_files=settings.max_source_files,
            max_bytes=settings.max_source_bytes,
        )
        result = run_mkdocs(
            staged.config_file,
            site,
            scratch=scratch,
            docs=staged.config_file.parent / config.docs_dir,
            strict=settings.strict,
            timeout=settings.build_timeout_seconds,
        )
        metadata = write_site_metadata(
            site,
            entity_ref=str(stored.ref),
            site_name=config.site_name,
            site_description=config.site_description,
            built_at=now,
            source_hash=fingerprint,
            nav=result.nav,
            pages=result.pages,
        )
        storage.publish(stored.ref, site)
    except (DocsBuildFailed, OSError) as error:
        failure = _disk_full(error, settings.root) if isinstance(error, OSError) else error
        if site is not None:  # half-written: never served, and gone
            shutil.rmtree(site, ignore_errors=True)
        # A full disk is no fault of the sources: no fingerprint, so the next run tries again.
        tried = None if isinstance(error, OSError) else fingerprint
        _record_problem(engine, stored.ref, previous, "failed", failure, tried, now)
        return BuildOutcome(stored.ref, "failed", failure.user_message, time.monotonic() - started)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    warnings = (*config.warnings, *staged.warnings, *result.warnings)
    seconds = time.monotonic() - started
    save_build(
        engine,
        DocsBuild(
            entity_ref=stored.ref,
            status="ok",
            attempted_at=now,
            source_hash=fingerprint,
            site_hash=fingerprint,
            site_name=metadata.site_name,
            built_at=now,
            duration_ms=int(seconds * 1000),
            nav=metadata.nav,
            warnings=warnings,
        ),
    )
    return BuildOutcome(stored.ref, "built", None, seconds, warnings)


def _disk_full(error: OSError, root: Path) -> DocsBuildFailed:
    """The build could not write: a full disk (or quota) is said so, with where; any other
    OSError is a bug and goes on up."""
    if error.errno not in _DISK_FULL:
        raise error
    return DocsBuildFailed(
        f"{os.strerror(error.errno or errno.ENOSPC)} in {root} (where built sites are kept) "
        "while writing the new site. Free space there or give techdocs.storage_dir more room; "
        "the last good site is still served."
    )


def _record_problem(
    engine: Engine,
    ref: EntityRef,
    previous: DocsBuild | None,
    status: Literal["failed", "unavailable"],
    error: DocsBuildFailed,
    fingerprint: str | None,
    now: datetime,
) -> None:
    """Record a failed attempt, keeping what is known about the site still being served."""
    if previous is None:
        record = DocsBuild(ref, status, now, source_hash=fingerprint, error=error.user_message)
    elif (
        previous.status == status
        and previous.error == error.user_message
        and (previous.source_hash == fingerprint)
    ):
        return  # nothing new: do not wake every cache up
    else:
        record = replace(
            previous, status=status, attempted_at=now, source_hash=fingerprint,
            error=error.user_message, warnings=(),
        )  # fmt: skip
    save_build(engine, record)


def _default_site_name(stored: StoredEntity) -> str:
    return stored.entity.metadata.title or stored.ref.name


def _site_url(settings: TechDocsSettings, ref: EntityRef) -> str | None:
    base = settings.base_url
    return DocsLinks(base).site_url(ref) if base and "://" in base else None


def _recipe(settings: TechDocsSettings, site_url: str | None, name: str) -> str:
    return "|".join(
        [
            _RECIPE_VERSION,
            version("mkdocs"),
            version("mkdocs-techdocs-core"),
            str(settings.strict),
            site_url or "",
            ",".join(sorted(settings.extra_plugins)),
            ",".join(sorted(settings.extra_markdown_extensions)),
            name,
        ]
    )
