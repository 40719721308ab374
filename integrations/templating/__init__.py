"""Cookiecutter templates as data: reading ``cookiecutter.json``, the Jinja environment
(sandboxed unless trusted), resolving values in order, checking output paths, and the
render child process. Imports nothing of ours outside this package (the child starts fast).
"""

from __future__ import annotations

from integrations.templating.environment import (
    SandboxedCookiecutterEnvironment,
    make_environment,
    template_imports,
)
from integrations.templating.paths import check_paths
from integrations.templating.spec import (
    CONTEXT_FILE,
    CookiecutterSpec,
    TemplateError,
    Variable,
    VariableKind,
    load_spec,
)
from integrations.templating.values import choice_options, resolve_values

__all__ = [
    "CONTEXT_FILE",
    "CookiecutterSpec",
    "SandboxedCookiecutterEnvironment",
    "TemplateError",
    "Variable",
    "VariableKind",
    "check_paths",
    "choice_options",
    "load_spec",
    "make_environment",
    "resolve_values",
    "template_imports",
]
