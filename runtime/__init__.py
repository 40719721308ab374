"""Settings (the only reader of the environment and greenroom.yaml) and the runtime object a
process builds from them: the database engine, the catalog, clusters, repositories, scaffolder."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runtime.process import Runtime, open_runtime
    from runtime.settings import Settings, load_settings

__all__ = ["Runtime", "Settings", "load_settings", "open_runtime"]


# Submodules are imported on first use: a command that needs one thing of this package
# does not pay for all of it (see bot/cli/main.py).
_MODULES = {
    "Runtime": "process",
    "Settings": "settings",
    "load_settings": "settings",
    "open_runtime": "process",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
