"""What a digest says: a migration's leaderboard (with its chart) or the catalog-quality
report, compared with the subscription's previous digest."""

from __future__ import annotations

from datetime import date

from catalog.quality import catalog_quality
from catalog.tech_migrations import MigrationDefinition, migration_digest
from commands.migrations.blocks import digest_blocks, digest_text
from commands.migrations.digest_posts import DigestContent, PreviousDigest
from commands.migrations.quality_blocks import quality_message, quality_summary
from runtime.process import Runtime

__all__ = ["digest_content"]


def digest_content(
    runtime: Runtime,
    migration: MigrationDefinition | None,
    previous: PreviousDigest | None,
    *,
    today: date,
) -> DigestContent:
    """The digest of ``migration`` (None: the catalog-quality report) as of ``today`` (the
    slot's day); "since" is the day of the previous digest (a week ago for the first one)."""
    settings = runtime.settings
    command = settings.slack.command
    if migration is None:
        quality = catalog_quality(runtime.engine)
        text, blocks = quality_message(
            quality,
            previous=previous.summary if previous else None,
            since=previous.slot if previous else None,
            command=command,
        )
        return DigestContent(text, blocks, summary=quality_summary(quality))
    digest = migration_digest(
        runtime.engine,
        runtime.catalog,
        migration,
        since=previous.slot.date() if previous else None,
        level=settings.migrations.default_level,
        today=today,
    )
    return DigestContent(
        digest_text(digest),
        digest_blocks(digest, command=command),
        chart_png=digest.chart_png,
        chart_title=f"{digest.title}: progress on {today.isoformat()}",
        summary={"done": digest.board.done, "total": digest.board.total},
    )
