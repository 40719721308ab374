"""Tech migrations: definitions (YAML), checks, evaluation, leaderboards, digests, nudges.

Inside the catalog package: imports nothing of ours outside ``catalog`` and no Slack. The
Slack commands, Home tab and the worker call the functions listed here and render the data.
"""

from __future__ import annotations

from catalog.tech_migrations.charts import migration_chart
from catalog.tech_migrations.custom_checks import (
    ENTRY_POINT_GROUP,
    CustomCheckFunction,
    CustomChecks,
)
from catalog.tech_migrations.definition import MigrationDefinition, Nudges, Scope, ScopeExclude
from catalog.tech_migrations.digest import MigrationDigest, migration_digest
from catalog.tech_migrations.errors import (
    DefinitionProblem,
    InvalidMigration,
    MigrationNotFound,
    UnknownLevel,
)
from catalog.tech_migrations.evaluation import (
    CheckFailure,
    EntityResult,
    EvaluationReport,
    EvaluationRun,
    evaluate_configured,
    evaluate_entities,
    evaluate_migration,
    evaluate_migrations,
)
from catalog.tech_migrations.facts import FileLimits, LocalFolders, RepositoryResolver
from catalog.tech_migrations.group_tree import GroupNode, GroupTree, Unplaced
from catalog.tech_migrations.leaderboard import GroupProgress, Leaderboard, leaderboard
from catalog.tech_migrations.loader import MigrationSet, load_migrations
from catalog.tech_migrations.nudges import Nudge, claim_nudge, nudges_due, release_nudge
from catalog.tech_migrations.outcome import CheckOutcome, CheckStatus, CheckSubject
from catalog.tech_migrations.progress import (
    HistoryPoint,
    MigrationProgress,
    migration_progress,
    progress_overview,
)
from catalog.tech_migrations.remaining import (
    MyItems,
    RemainingItem,
    TeamItems,
    my_items,
    open_items_for_user,
    team_items,
)
from catalog.tech_migrations.repository_checks import REPOSITORY_UNAVAILABLE
from catalog.tech_migrations.settings import QUALITY_SUBJECT, DigestConfig, MigrationsSettings

__all__ = [
    "ENTRY_POINT_GROUP",
    "QUALITY_SUBJECT",
    "REPOSITORY_UNAVAILABLE",
    "CheckFailure",
    "CheckOutcome",
    "CheckStatus",
    "CheckSubject",
    "CustomCheckFunction",
    "CustomChecks",
    "DefinitionProblem",
    "DigestConfig",
    "EntityResult",
    "EvaluationReport",
    "EvaluationRun",
    "FileLimits",
    "GroupNode",
    "GroupProgress",
    "GroupTree",
    "HistoryPoint",
    "InvalidMigration",
    "Leaderboard",
    "LocalFolders",
    "MigrationDefinition",
    "MigrationDigest",
    "MigrationNotFound",
    "MigrationProgress",
    "MigrationSet",
    "MigrationsSettings",
    "MyItems",
    "Nudge",
    "Nudges",
    "RemainingItem",
    "RepositoryResolver",
    "Scope",
    "ScopeExclude",
    "TeamItems",
    "UnknownLevel",
    "Unplaced",
    "claim_nudge",
    "evaluate_configured",
    "evaluate_entities",
    "evaluate_migration",
    "evaluate_migrations",
    "leaderboard",
    "load_migrations",
    "migration_chart",
    "migration_digest",
    "migration_progress",
    "my_items",
    "nudges_due",
    "open_items_for_user",
    "progress_overview",
    "release_nudge",
    "team_items",
]
