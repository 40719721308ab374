"""The built-in job kinds, one module each; every module here registers itself on import.

A feature adds a job by adding a module here that calls ``registry.add(JobKind(...))``; sites
can add their own modules with ``worker.job_modules`` in greenroom.yaml.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence

from catalog.errors import ConfigError
from jobs.registry import JobRegistry, registry

__all__ = ["kind_modules", "load_kinds"]


def kind_modules(extra: Sequence[str] = ()) -> list[str]:
    """Names of every module that registers kinds: the built-in ones, then ``extra``."""
    built_in = [f"{__name__}.{info.name}" for info in pkgutil.iter_modules(__path__)]
    return built_in + [name for name in extra if name not in built_in]


def load_kinds(extra: Sequence[str] = ()) -> JobRegistry:
    """Import every kind module (once) and return the registry they filled."""
    for name in kind_modules(extra):
        try:
            importlib.import_module(name)
        except ImportError as error:
            raise ConfigError(f"worker.job_modules: cannot import {name}: {error}") from None
    return registry
