"""The bundled example company, synced as ``examples/greenroom.yaml`` configures it: the same
sources and catalog rules as ``greenroom demo`` (so the org chart is trusted only there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter
from sqlalchemy import Engine

from catalog import SourceConfig
from catalog.rules import CatalogRule, CatalogRules
from catalog.source_config import build_source
from catalog.sync import SyncReport, sync_catalog
from catalog.sync_options import SyncOptions

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def sync_example_company(engine: Engine, folder: Path = EXAMPLES) -> SyncReport:
    """Sync the example catalog found under ``folder`` (the examples folder or a copy of it)."""
    config: dict[str, Any] = yaml.safe_load((EXAMPLES / "greenroom.yaml").read_text())["catalog"]
    configs = TypeAdapter(list[SourceConfig]).validate_python(config["sources"])
    global_rules = TypeAdapter(list[CatalogRule] | None).validate_python(config.get("rules"))
    rules = CatalogRules.of(global_rules, ((c.name, c.rules) for c in configs))
    cache = folder / ".greenroom" / "cache"
    sources = [build_source(c, base_dir=folder, cache_dir=cache) for c in configs]
    return sync_catalog(engine, sources, SyncOptions(rules=rules))
