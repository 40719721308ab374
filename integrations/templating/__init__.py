"""Cookiecutter templates as data: reading ``cookiecutter.json``, the Jinja environment
(sandboxed unless trusted), resolving values in order, checking output paths, staging a
template's own files (and checking what was rendered), and the render child process.
Imports nothing of ours outside this package (the child starts fast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from integrations.templating.environment import (
        SandboxedCookiecutterEnvironment as SandboxedCookiecutterEnvironment,
        make_environment as make_environment,
        template_imports as template_imports,
    )
    from integrations.templating.errors import (
        TemplateError as TemplateError,
    )
    from integrations.templating.paths import (
        check_paths as check_paths,
    )
    from integrations.templating.spec import (
        CONTEXT_FILE as CONTEXT_FILE,
        CookiecutterSpec as CookiecutterSpec,
        Variable as Variable,
        VariableKind as VariableKind,
        load_spec as load_spec,
    )
    from integrations.templating.staging import (
        TreeSize as TreeSize,
        check_output as check_output,
        read_template_file as read_template_file,
        stage_template as stage_template,
    )
    from integrations.templating.values import (
        choice_options as choice_options,
        resolve_values as resolve_values,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
