"""Settings (the only reader of the environment and greenroom.yaml) and the runtime object a
process builds from them: the database engine, the catalog, clusters, repositories, scaffolder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from runtime.process import (
        Runtime as Runtime,
        open_runtime as open_runtime,
    )
    from runtime.settings import (
        Settings as Settings,
        load_settings as load_settings,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
