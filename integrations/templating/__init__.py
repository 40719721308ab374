"""Cookiecutter templates as data: reading ``cookiecutter.json``, the Jinja environment
(sandboxed unless trusted), resolving values in order, checking output paths, staging a
template's own files (and checking what was rendered), and the render child process.
Imports nothing of ours outside this package (the child starts fast).
"""

from __future__ import annotations

from integrations.templating.environment import (
    SandboxedCookiecutterEnvironment,
    make_environment,
    template_imports,
)
from integrations.templating.errors import TemplateError
from integrations.templating.paths import check_paths
from integrations.templating.spec import (
    CONTEXT_FILE,
    CookiecutterSpec,
    Variable,
    VariableKind,
    load_spec,
)
from integrations.templating.staging import (
    TreeSize,
    check_output,
    read_template_file,
    stage_template,
)
from integrations.templating.values import choice_options, resolve_values

__all__ = [
    "CONTEXT_FILE",
    "CookiecutterSpec",
    "SandboxedCookiecutterEnvironment",
    "TemplateError",
    "TreeSize",
    "Variable",
    "VariableKind",
    "check_output",
    "check_paths",
    "choice_options",
    "load_spec",
    "make_environment",
    "read_template_file",
    "resolve_values",
    "stage_template",
    "template_imports",
]
