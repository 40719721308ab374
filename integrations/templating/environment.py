"""The Jinja environment a template is rendered with.

Trusted templates get cookiecutter's own ``StrictEnvironment`` (with their ``_extensions``,
which are imported Python code). Untrusted ones get the same filters and tags in Jinja's
sandbox, no extensions of their own, and only harmless ``_jinja2_env_vars``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cookiecutter.environment import ExtensionLoaderMixin
from cookiecutter.exceptions import UnknownExtension
from cookiecutter.utils import create_env_with_context
from jinja2 import Environment, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from integrations.templating.errors import TemplateError

__all__ = ["SandboxedCookiecutterEnvironment", "make_environment", "template_imports"]

_SAFE_ENV_VARS = frozenset(
    {
        "block_start_string",
        "block_end_string",
        "variable_start_string",
        "variable_end_string",
        "comment_start_string",
        "comment_end_string",
        "line_statement_prefix",
        "line_comment_prefix",
        "trim_blocks",
        "lstrip_blocks",
        "newline_sequence",
        "keep_trailing_newline",
    }
)
_IMPORT_LOCK = threading.Lock()


class SandboxedCookiecutterEnvironment(ExtensionLoaderMixin, SandboxedEnvironment):  # type: ignore[misc]
    """cookiecutter's strict environment and built-in extensions, inside Jinja's sandbox."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(undefined=StrictUndefined, **kwargs)


def make_environment(context: dict[str, Any], *, trusted: bool, template_dir: Path) -> Environment:
    """The environment for ``context`` (``{"cookiecutter": {...}}``) of the template in
    ``template_dir``; raises TemplateError when an untrusted template asks for code."""
    source = template_dir / "cookiecutter.json"
    data = context.get("cookiecutter", {})
    env_vars = data.get("_jinja2_env_vars") or {}
    if not isinstance(env_vars, dict):
        raise TemplateError(f"{source}: _jinja2_env_vars must be an object")
    if trusted:
        try:
            with template_imports(template_dir):
                env: Environment = create_env_with_context(context)
        except UnknownExtension as error:
            raise TemplateError(f"{source}: {error}") from None
        return env
    if data.get("_extensions"):
        raise TemplateError(
            f"{source} loads Jinja extensions (_extensions), which are Python code; "
            "they only run for template folders marked trusted"
        )
    unsafe = sorted(k for k, v in env_vars.items() if k not in _SAFE_ENV_VARS or _complex(v))
    if unsafe:
        raise TemplateError(
            f"{source}: _jinja2_env_vars {', '.join(unsafe)} are not allowed in untrusted templates"
        )
    return SandboxedCookiecutterEnvironment(
        context={"cookiecutter": {}}, **({"keep_trailing_newline": True} | env_vars)
    )


@contextmanager
def template_imports(template_dir: Path) -> Iterator[None]:
    """Let a trusted template import its ``local_extensions`` (as cookiecutter itself does)."""
    with _IMPORT_LOCK:
        saved = list(sys.path)
        before = set(sys.modules)
        sys.path.append(str(template_dir))
        try:
            yield
        finally:
            sys.path[:] = saved
            # Forget the template's own modules: another template's local_extensions.py
            # must not get this one's from the import cache.
            root = template_dir.resolve()
            for name in set(sys.modules) - before:
                file = getattr(sys.modules[name], "__file__", None)
                if file and Path(file).resolve().is_relative_to(root):
                    del sys.modules[name]


def _complex(value: object) -> bool:
    return not isinstance(value, str | bool)
