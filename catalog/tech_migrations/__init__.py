"""Tech migrations: definitions (YAML), checks, evaluation, leaderboards, digests, nudges.

Inside the catalog package: imports nothing of ours outside ``catalog`` and no Slack. The
Slack commands, Home tab and the worker call the functions listed here and render the data.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from catalog.tech_migrations.leaderboard import GroupProgress, Leaderboard
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


# Submodules are imported on first use: a command that needs one thing of this package
# does not pay for all of it (see bot/cli/main.py).
_MODULES = {
    "CheckFailure": "evaluation",
    "CheckOutcome": "outcome",
    "CheckStatus": "outcome",
    "CheckSubject": "outcome",
    "CustomCheckFunction": "custom_checks",
    "CustomChecks": "custom_checks",
    "DefinitionProblem": "errors",
    "DigestConfig": "settings",
    "ENTRY_POINT_GROUP": "custom_checks",
    "EntityResult": "evaluation",
    "EvaluationReport": "evaluation",
    "EvaluationRun": "evaluation",
    "FileLimits": "facts",
    "GroupNode": "group_tree",
    "GroupProgress": "leaderboard",
    "GroupTree": "group_tree",
    "HistoryPoint": "progress",
    "InvalidMigration": "errors",
    "Leaderboard": "leaderboard",
    "LocalFolders": "facts",
    "MigrationDefinition": "definition",
    "MigrationDigest": "digest",
    "MigrationNotFound": "errors",
    "MigrationProgress": "progress",
    "MigrationSet": "loader",
    "MigrationsSettings": "settings",
    "MyItems": "remaining",
    "Nudge": "nudges",
    "Nudges": "definition",
    "QUALITY_SUBJECT": "settings",
    "REPOSITORY_UNAVAILABLE": "repository_checks",
    "RemainingItem": "remaining",
    "RepositoryResolver": "facts",
    "Scope": "definition",
    "ScopeExclude": "definition",
    "TeamItems": "remaining",
    "UnknownLevel": "errors",
    "Unplaced": "group_tree",
    "claim_nudge": "nudges",
    "evaluate_configured": "evaluation",
    "evaluate_entities": "evaluation",
    "evaluate_migration": "evaluation",
    "evaluate_migrations": "evaluation",
    "load_migrations": "loader",
    "migration_chart": "charts",
    "migration_digest": "digest",
    "migration_progress": "progress",
    "my_items": "remaining",
    "nudges_due": "nudges",
    "open_items_for_user": "remaining",
    "progress_overview": "progress",
    "release_nudge": "nudges",
    "team_items": "remaining",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


# A function named like its module: importing the module (which any of its importers does)
# binds the package attribute to the module, so the function is bound here, after it.
from catalog.tech_migrations.leaderboard import leaderboard  # noqa: E402
