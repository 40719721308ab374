"""Cookiecutter templates as data: reading ``cookiecutter.json``, the Jinja environment
(sandboxed unless trusted), resolving values in order, checking output paths, staging a
template's own files (and checking what was rendered), and the render child process.
Imports nothing of ours outside this package (the child starts fast).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


# Submodules are imported on first use: a command that needs one thing of this package
# does not pay for all of it (see bot/cli/main.py).
_MODULES = {
    "CONTEXT_FILE": "spec",
    "CookiecutterSpec": "spec",
    "SandboxedCookiecutterEnvironment": "environment",
    "TemplateError": "errors",
    "TreeSize": "staging",
    "Variable": "spec",
    "VariableKind": "spec",
    "check_output": "staging",
    "check_paths": "paths",
    "choice_options": "values",
    "load_spec": "spec",
    "make_environment": "environment",
    "read_template_file": "staging",
    "resolve_values": "values",
    "stage_template": "staging",
    "template_imports": "environment",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
