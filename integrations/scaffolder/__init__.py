"""Scaffolding: cookiecutter templates -> a new git repository registered in the catalog.

No Slack here: the modal and the CLI call ``Scaffolder`` and render the plain data it returns.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from integrations.scaffolder.access import (
        Caller,
        ScaffoldAccess,
        caller_from_email,
        caller_from_ref,
    )
    from integrations.scaffolder.catalog_file import CatalogFile, DefaultEntity, check_catalog_file
    from integrations.scaffolder.config import ScaffolderSettings, TemplateDirSettings
    from integrations.scaffolder.discovery import (
        SHIPPED_TEMPLATES,
        Template,
        TemplateIndex,
        discover_templates,
    )
    from integrations.scaffolder.form import (
        STANDARD_FIELDS,
        FieldKind,
        FormField,
        FormOption,
        TemplateForm,
        build_form,
    )
    from integrations.scaffolder.metadata import (
        DEFAULT_KINDS,
        IDENTITY_KINDS,
        METADATA_FILE,
        StandardVariables,
        TemplateAccess,
        TemplateMetadata,
        load_metadata,
    )
    from integrations.scaffolder.pipeline import (
        STEPS,
        ScaffoldProgress,
        ScaffoldResult,
        ScaffoldStep,
        template_answers,
    )
    from integrations.scaffolder.registration import (
        REGISTERED_SOURCE,
        DeclaredKinds,
        RegisteredLocation,
        RegisteredLocationsSource,
        register_location,
        registered,
    )
    from integrations.scaffolder.render import RenderedProject, RenderLimits, render_project
    from integrations.scaffolder.runs import ScaffoldRun, recent_runs
    from integrations.scaffolder.scaffolder import Scaffolder
    from integrations.scaffolder.submission import (
        NAME_RULE,
        Submission,
        check_submission,
        is_valid_name,
        validate_submission,
    )
    from integrations.scaffolder.targets import (
        GIT_TARGET,
        PublishTarget,
        TargetChooser,
        Visibility,
        single_target,
    )

__all__ = [
    "DEFAULT_KINDS",
    "GIT_TARGET",
    "IDENTITY_KINDS",
    "METADATA_FILE",
    "NAME_RULE",
    "REGISTERED_SOURCE",
    "SHIPPED_TEMPLATES",
    "STANDARD_FIELDS",
    "STEPS",
    "Caller",
    "CatalogFile",
    "DeclaredKinds",
    "DefaultEntity",
    "FieldKind",
    "FormField",
    "FormOption",
    "PublishTarget",
    "RegisteredLocation",
    "RegisteredLocationsSource",
    "RenderLimits",
    "RenderedProject",
    "ScaffoldAccess",
    "ScaffoldProgress",
    "ScaffoldResult",
    "ScaffoldRun",
    "ScaffoldStep",
    "Scaffolder",
    "ScaffolderSettings",
    "StandardVariables",
    "Submission",
    "TargetChooser",
    "Template",
    "TemplateAccess",
    "TemplateDirSettings",
    "TemplateForm",
    "TemplateIndex",
    "TemplateMetadata",
    "Visibility",
    "build_form",
    "caller_from_email",
    "caller_from_ref",
    "check_catalog_file",
    "check_submission",
    "discover_templates",
    "is_valid_name",
    "load_metadata",
    "recent_runs",
    "register_location",
    "registered",
    "render_project",
    "single_target",
    "template_answers",
    "validate_submission",
]


# Submodules are imported on first use: a command that needs one thing of this package
# does not pay for all of it (see bot/cli/main.py).
_MODULES = {
    "Caller": "access",
    "CatalogFile": "catalog_file",
    "DEFAULT_KINDS": "metadata",
    "DeclaredKinds": "registration",
    "DefaultEntity": "catalog_file",
    "FieldKind": "form",
    "FormField": "form",
    "FormOption": "form",
    "GIT_TARGET": "targets",
    "IDENTITY_KINDS": "metadata",
    "METADATA_FILE": "metadata",
    "NAME_RULE": "submission",
    "PublishTarget": "targets",
    "REGISTERED_SOURCE": "registration",
    "RegisteredLocation": "registration",
    "RegisteredLocationsSource": "registration",
    "RenderLimits": "render",
    "RenderedProject": "render",
    "SHIPPED_TEMPLATES": "discovery",
    "STANDARD_FIELDS": "form",
    "STEPS": "pipeline",
    "ScaffoldAccess": "access",
    "ScaffoldProgress": "pipeline",
    "ScaffoldResult": "pipeline",
    "ScaffoldRun": "runs",
    "ScaffoldStep": "pipeline",
    "Scaffolder": "scaffolder",
    "ScaffolderSettings": "config",
    "StandardVariables": "metadata",
    "Submission": "submission",
    "TargetChooser": "targets",
    "Template": "discovery",
    "TemplateAccess": "metadata",
    "TemplateDirSettings": "config",
    "TemplateForm": "form",
    "TemplateIndex": "discovery",
    "TemplateMetadata": "metadata",
    "Visibility": "targets",
    "build_form": "form",
    "caller_from_email": "access",
    "caller_from_ref": "access",
    "check_catalog_file": "catalog_file",
    "check_submission": "submission",
    "discover_templates": "discovery",
    "is_valid_name": "submission",
    "load_metadata": "metadata",
    "recent_runs": "runs",
    "register_location": "registration",
    "registered": "registration",
    "render_project": "render",
    "single_target": "targets",
    "template_answers": "pipeline",
    "validate_submission": "submission",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
