"""Settings (the only reader of the environment and greenroom.yaml) and the runtime object a
process builds from them: the database engine, the catalog, clusters, repositories, scaffolder."""

from __future__ import annotations

from runtime.process import Runtime, open_runtime
from runtime.settings import Settings, load_settings

__all__ = ["Runtime", "Settings", "load_settings", "open_runtime"]
