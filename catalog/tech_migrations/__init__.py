"""Tech migrations: definitions (YAML), checks, evaluation, leaderboards, digests, nudges.

Inside the catalog package: imports nothing of ours outside ``catalog`` and no Slack. The
Slack commands, Home tab and the worker call the functions listed here and render the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from catalog.tech_migrations.charts import (
        migration_chart as migration_chart,
    )
    from catalog.tech_migrations.custom_checks import (
        ENTRY_POINT_GROUP as ENTRY_POINT_GROUP,
        CustomCheckFunction as CustomCheckFunction,
        CustomChecks as CustomChecks,
    )
    from catalog.tech_migrations.definition import (
        MigrationDefinition as MigrationDefinition,
        Nudges as Nudges,
        Scope as Scope,
        ScopeExclude as ScopeExclude,
    )
    from catalog.tech_migrations.digest import (
        MigrationDigest as MigrationDigest,
        migration_digest as migration_digest,
    )
    from catalog.tech_migrations.errors import (
        DefinitionProblem as DefinitionProblem,
        InvalidMigration as InvalidMigration,
        MigrationNotFound as MigrationNotFound,
        UnknownLevel as UnknownLevel,
    )
    from catalog.tech_migrations.evaluation import (
        CheckFailure as CheckFailure,
        EntityResult as EntityResult,
        EvaluationReport as EvaluationReport,
        EvaluationRun as EvaluationRun,
        evaluate_configured as evaluate_configured,
        evaluate_entities as evaluate_entities,
        evaluate_migration as evaluate_migration,
        evaluate_migrations as evaluate_migrations,
    )
    from catalog.tech_migrations.facts import (
        FileLimits as FileLimits,
        LocalFolders as LocalFolders,
        RepositoryResolver as RepositoryResolver,
    )
    from catalog.tech_migrations.group_tree import (
        GroupNode as GroupNode,
        GroupTree as GroupTree,
        Unplaced as Unplaced,
    )
    from catalog.tech_migrations.leaderboard import (
        GroupProgress as GroupProgress,
        Leaderboard as Leaderboard,
        leaderboard as leaderboard,
    )
    from catalog.tech_migrations.loader import (
        MigrationSet as MigrationSet,
        load_migrations as load_migrations,
    )
    from catalog.tech_migrations.nudges import (
        Nudge as Nudge,
        claim_nudge as claim_nudge,
        nudges_due as nudges_due,
        release_nudge as release_nudge,
    )
    from catalog.tech_migrations.outcome import (
        CheckOutcome as CheckOutcome,
        CheckStatus as CheckStatus,
        CheckSubject as CheckSubject,
    )
    from catalog.tech_migrations.progress import (
        HistoryPoint as HistoryPoint,
        MigrationProgress as MigrationProgress,
        migration_progress as migration_progress,
        progress_overview as progress_overview,
    )
    from catalog.tech_migrations.remaining import (
        MyItems as MyItems,
        RemainingItem as RemainingItem,
        TeamItems as TeamItems,
        my_items as my_items,
        open_items_for_user as open_items_for_user,
        team_items as team_items,
    )
    from catalog.tech_migrations.repository_checks import (
        REPOSITORY_UNAVAILABLE as REPOSITORY_UNAVAILABLE,
    )
    from catalog.tech_migrations.settings import (
        QUALITY_SUBJECT as QUALITY_SUBJECT,
        DigestConfig as DigestConfig,
        MigrationsSettings as MigrationsSettings,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)

# A function named like its module: importing the module (which any of its importers does)
# binds the package attribute to the module, so the function is bound here, after it.
from catalog.tech_migrations.leaderboard import leaderboard as leaderboard  # noqa: E402
