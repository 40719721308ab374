"""Evaluating a migration: every entity in scope gets pass / fail / error with reasons; the
results are stored (only what changed is written) and today's snapshot per group replaces any
earlier one of the same day, so evaluating again the same day is harmless."""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from catalog.database import writer
from catalog.refs import EntityRef, parse_ref
from catalog.store import ENTITY_QUERY, Catalog, StoredEntity, stored_entity
from catalog.tables import entities
from catalog.tech_migrations.custom_checks import CustomChecks
from catalog.tech_migrations.definition import MigrationDefinition
from catalog.tech_migrations.errors import DefinitionProblem
from catalog.tech_migrations.facts import (
    CatalogIndex,
    EntityFacts,
    FileLimits,
    LocalFolders,
    RepositoryResolver,
    stored_ref,
)
from catalog.tech_migrations.group_tree import GroupTree
from catalog.tech_migrations.loader import load_migrations
from catalog.tech_migrations.outcome import CheckOutcome, CheckStatus
from catalog.tech_migrations.results import CheckFailure, EntityResult
from catalog.tech_migrations.scope import ScopeMatcher
from catalog.tech_migrations.settings import MigrationsSettings
from catalog.tech_migrations.storage import store_results, store_snapshots
from catalog.tech_migrations.tables import migration_snapshots

__all__ = [
    "CheckFailure",
    "EntityResult",
    "EvaluationReport",
    "EvaluationRun",
    "evaluate_configured",
    "evaluate_entities",
    "evaluate_migration",
    "evaluate_migrations",
]


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """What one evaluation found and how long it took."""

    migration_id: str
    day: date
    evaluated_at: datetime
    total: int
    done: int
    failing: int
    errors: int
    changed: int
    seconds: float

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


def evaluate_entities(
    catalog: Catalog,
    migration: MigrationDefinition,
    *,
    tree: GroupTree | None = None,
    repositories: RepositoryResolver | None = None,
    custom: CustomChecks | None = None,
    limits: FileLimits = FileLimits(),
) -> Iterator[EntityResult]:
    """The verdict for every entity in scope (nothing is stored)."""
    repositories = repositories or LocalFolders()
    custom = custom if custom is not None else CustomChecks.installed()
    kinds = list(migration.scope.kinds) or None
    with catalog.engine.connect() as conn:
        index = CatalogIndex.load(conn, migration.relation_types)
        if tree is None:
            tree = GroupTree.load(catalog, users=_user_owners(conn))
    matcher = ScopeMatcher(
        migration.scope,
        owners=_expand(tree, migration.scope.owners),
        excluded_owners=_expand(tree, migration.scope.exclude.owners),
    )
    checks = [(check, check.label) for check in migration.checks]
    owner_refs: dict[str, EntityRef] = {}
    memo: dict[tuple[int, str], CheckOutcome] = {}
    for stored, owner in _entities(catalog, kinds):
        if not matcher.matches(stored, owner, index):
            continue
        facts = EntityFacts(
            stored,
            index=index,
            repositories=repositories,
            limits=limits,
            custom=custom.get,
            memo=memo,
        )
        failures = []
        failed = False
        for check, label in checks:
            outcome = check.run(facts)
            if outcome.status != "pass":
                failures.append(CheckFailure(label, outcome.status, outcome.reason))
                failed = failed or outcome.status == "fail"
        status: CheckStatus = ("fail" if failed else "error") if failures else "pass"
        owner_ref = None
        if owner is not None:
            owner_ref = owner_refs.get(owner) or owner_refs.setdefault(owner, stored_ref(owner))
        yield EntityResult(stored.ref, owner_ref, status, tuple(failures))


def evaluate_migration(
    engine: Engine,
    migration: MigrationDefinition,
    *,
    repositories: RepositoryResolver | None = None,
    custom: CustomChecks | None = None,
    limits: FileLimits = FileLimits(),
    now: datetime | None = None,
    retention: timedelta = timedelta(days=730),
) -> EvaluationReport:
    """Evaluate, store the results and today's snapshots, and drop snapshots past retention."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    day = now.astimezone(UTC).date()
    catalog = Catalog(engine)
    with engine.connect() as conn:
        tree = GroupTree.load(catalog, users=_user_owners(conn))
    with _gc_paused():
        results = list(
            evaluate_entities(
                catalog,
                migration,
                tree=tree,
                repositories=repositories,
                custom=custom,
                limits=limits,
            )
        )
    with _gc_paused(), writer(engine).begin() as conn:
        changed = store_results(conn, migration.id, results, now)
        store_snapshots(conn, migration.id, results, tree, day, now)
        conn.execute(
            delete(migration_snapshots).where(
                migration_snapshots.c.migration_id == migration.id,
                migration_snapshots.c.day < day - retention,
            )
        )
    counts = Counter(r.status for r in results)
    return EvaluationReport(
        migration_id=migration.id,
        day=day,
        evaluated_at=now,
        total=len(results),
        done=counts["pass"],
        failing=counts["fail"],
        errors=counts["error"],
        changed=changed,
        seconds=round(time.perf_counter() - started, 3),
    )


def evaluate_migrations(
    engine: Engine, migrations: Iterable[MigrationDefinition], **options: Any
) -> list[EvaluationReport]:
    """Evaluate each migration in turn (what the worker calls after every sync)."""
    return [evaluate_migration(engine, m, **options) for m in migrations]


def _entities(
    catalog: Catalog, kinds: list[str] | None
) -> Iterator[tuple[StoredEntity, str | None]]:
    """Stored entities of ``kinds`` with their owner ref, in one pass."""
    query = ENTITY_QUERY.add_columns(entities.c.owner_ref).order_by(entities.c.ref)
    if kinds:
        query = query.where(entities.c.kind.in_(kinds))
    with catalog.engine.connect() as conn:
        for row in conn.execution_options(yield_per=1000).execute(query):
            yield stored_entity(row), row.owner_ref


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Evaluating builds ~10 objects per entity and keeps the results (no cycles): the cyclic
    # collector would rescan them over and over (a quarter of the time at 100k entities).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _user_owners(conn: Connection) -> set[EntityRef]:
    query = select(entities.c.owner_ref).distinct().where(entities.c.owner_ref.like("user:%"))
    return {stored_ref(o) for o in conn.execute(query).scalars()}


def _expand(tree: GroupTree, owners: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for text in owners:
        ref = parse_ref(text)
        found.update(str(g) for g in (tree.subtree(ref) if ref in tree.groups else {ref}))
    return found


@dataclass(frozen=True, slots=True)
class EvaluationRun:
    """Every configured migration evaluated; ``problems`` are the definitions left out."""

    reports: tuple[EvaluationReport, ...]
    problems: tuple[DefinitionProblem, ...]


def evaluate_configured(
    engine: Engine,
    settings: MigrationsSettings,
    *,
    base_dir: Path,
    repositories: RepositoryResolver | None = None,
    now: datetime | None = None,
) -> EvaluationRun:
    """Load the definitions under ``settings.path`` and evaluate each valid one: what the
    worker calls after every sync (a broken definition is reported, the rest still run)."""
    loaded = load_migrations(settings.folder(base_dir))
    reports = evaluate_migrations(
        engine,
        loaded.migrations,
        repositories=repositories,
        limits=settings.file_limits,
        now=now,
        retention=timedelta(days=settings.snapshot_retention_days),
    )
    return EvaluationRun(tuple(reports), loaded.problems)
