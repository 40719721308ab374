"""Scaffolding: cookiecutter templates -> a new git repository registered in the catalog.

No Slack here: the modal and the CLI call ``Scaffolder`` and render the plain data it returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from integrations.scaffolder.access import (
        Caller as Caller,
        ScaffoldAccess as ScaffoldAccess,
        caller_from_email as caller_from_email,
        caller_from_ref as caller_from_ref,
    )
    from integrations.scaffolder.catalog_file import (
        CatalogFile as CatalogFile,
        DefaultEntity as DefaultEntity,
        check_catalog_file as check_catalog_file,
    )
    from integrations.scaffolder.config import (
        ScaffolderSettings as ScaffolderSettings,
        TemplateDirSettings as TemplateDirSettings,
    )
    from integrations.scaffolder.discovery import (
        SHIPPED_TEMPLATES as SHIPPED_TEMPLATES,
        Template as Template,
        TemplateIndex as TemplateIndex,
        discover_templates as discover_templates,
    )
    from integrations.scaffolder.form import (
        STANDARD_FIELDS as STANDARD_FIELDS,
        FieldKind as FieldKind,
        FormField as FormField,
        FormOption as FormOption,
        TemplateForm as TemplateForm,
        build_form as build_form,
    )
    from integrations.scaffolder.metadata import (
        DEFAULT_KINDS as DEFAULT_KINDS,
        IDENTITY_KINDS as IDENTITY_KINDS,
        METADATA_FILE as METADATA_FILE,
        StandardVariables as StandardVariables,
        TemplateAccess as TemplateAccess,
        TemplateMetadata as TemplateMetadata,
        load_metadata as load_metadata,
    )
    from integrations.scaffolder.pipeline import (
        STEPS as STEPS,
        ScaffoldProgress as ScaffoldProgress,
        ScaffoldResult as ScaffoldResult,
        ScaffoldStep as ScaffoldStep,
        template_answers as template_answers,
    )
    from integrations.scaffolder.registration import (
        REGISTERED_SOURCE as REGISTERED_SOURCE,
        DeclaredKinds as DeclaredKinds,
        RegisteredLocation as RegisteredLocation,
        RegisteredLocationsSource as RegisteredLocationsSource,
        register_location as register_location,
        registered as registered,
    )
    from integrations.scaffolder.render import (
        RenderedProject as RenderedProject,
        RenderLimits as RenderLimits,
        render_project as render_project,
    )
    from integrations.scaffolder.runs import (
        ScaffoldRun as ScaffoldRun,
        recent_runs as recent_runs,
    )
    from integrations.scaffolder.scaffolder import (
        Scaffolder as Scaffolder,
    )
    from integrations.scaffolder.submission import (
        NAME_RULE as NAME_RULE,
        Submission as Submission,
        check_submission as check_submission,
        is_valid_name as is_valid_name,
        validate_submission as validate_submission,
    )
    from integrations.scaffolder.targets import (
        GIT_TARGET as GIT_TARGET,
        PublishTarget as PublishTarget,
        TargetChooser as TargetChooser,
        Visibility as Visibility,
        single_target as single_target,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
