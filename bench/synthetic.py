"""Synthetic catalogs of realistic shape, for benchmarks.

An organisation -> tribes -> squads tree, users in squads, systems in domains, shared
resources, and one repository folder per component (``repos/<name>/catalog-info.yaml``, often
with an API it provides as a second document), all tied together by a Location file with glob
targets. Components depend on resources and other components and consume APIs, so the
dependency graph has depth.

    from bench.synthetic import write_catalog
    cat = write_catalog(Path("/tmp/cat"), 100_000)
    cat.location_file, cat.counts, cat.components[:5]
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SyntheticCatalog", "cached_catalog", "write_catalog"]

_WORDS = [
    "payments",
    "checkout",
    "search",
    "catalog",
    "order",
    "inventory",
    "shipping",
    "billing",
    "ledger",
    "fraud",
    "risk",
    "identity",
    "auth",
    "session",
    "profile",
    "notification",
    "email",
    "sms",
    "push",
    "recommendation",
    "ranking",
    "pricing",
    "promotion",
    "cart",
    "wishlist",
    "review",
    "rating",
    "media",
    "image",
    "video",
    "upload",
    "export",
    "import",
    "report",
    "analytics",
    "metrics",
    "events",
    "stream",
    "queue",
    "scheduler",
    "gateway",
    "proxy",
    "cache",
    "config",
]
_FIRST = [
    "ada",
    "alan",
    "barbara",
    "claude",
    "dennis",
    "edsger",
    "frances",
    "grace",
    "hedy",
    "ivan",
    "joan",
    "ken",
    "linus",
    "mary",
    "niklaus",
]
_LAST = [
    "lovelace",
    "turing",
    "liskov",
    "shannon",
    "ritchie",
    "dijkstra",
    "allen",
    "hopper",
    "lamarr",
    "sutherland",
    "clarke",
    "thompson",
    "torvalds",
    "shaw",
    "wirth",
]
_PER_FILE = 200


@dataclass
class SyntheticCatalog:
    """Where a generated catalog is and what it holds (names for sampling queries)."""

    root: Path
    location_file: Path
    counts: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    apis: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    squads: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)


def _doc(kind: str, name: str, spec: dict[str, object], **metadata: object) -> dict[str, object]:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": {"name": name, **metadata},
        "spec": spec,
    }


def _dump(docs: list[dict[str, object]]) -> str:
    # JSON is valid YAML, but real catalogs are block YAML: write that, readably and fast.
    import yaml

    return yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=False)


def write_catalog(root: Path, entities: int, *, seed: int = 7) -> SyntheticCatalog:
    """Write a catalog of about ``entities`` entities under ``root`` (which must be empty)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    n_groups = max(4, entities // 100)
    n_users = max(10, entities // 10)
    n_domains = max(1, entities // 1000)
    n_systems = max(2, entities // 200)
    n_resources = max(4, entities // 10)
    n_components = max(10, entities - n_groups - n_users - n_domains - n_systems - n_resources)
    n_components = int(n_components / 1.25)  # about one in four repos also provides an API
    cat = SyntheticCatalog(root, root / "catalog-info.yaml")

    tribes = [f"tribe-{i}" for i in range(max(2, n_groups // 10))]
    squads = [f"squad-{i}" for i in range(n_groups - len(tribes) - 1)]
    cat.squads = squads
    groups = [_doc("Group", "org", {"type": "organisation", "children": tribes})]
    squad_tribe = {s: tribes[i % len(tribes)] for i, s in enumerate(squads)}
    for tribe in tribes:
        groups.append(
            _doc(
                "Group",
                tribe,
                {
                    "type": "tribe",
                    "parent": "org",
                    "children": [s for s in squads if squad_tribe[s] == tribe],
                },
            )
        )
    for squad in squads:
        groups.append(
            _doc(
                "Group",
                squad,
                {"type": "squad", "parent": squad_tribe[squad], "children": []},
                annotations={"slack.com/channel": f"#{squad}"},
            )
        )
    users = []
    for i in range(n_users):
        name = f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}.{i}"
        cat.users.append(name)
        users.append(
            _doc(
                "User",
                name,
                {
                    "profile": {
                        "displayName": name.replace(".", " ").title(),
                        "email": f"{name}@corp.example",
                    },
                    "memberOf": rng.sample(squads, k=1 + (i % 5 == 0)),
                },
            )
        )
    domains = [
        _doc("Domain", f"domain-{i}", {"owner": rng.choice(tribes)}) for i in range(n_domains)
    ]
    systems = [
        _doc(
            "System",
            f"system-{i}",
            {"owner": rng.choice(squads), "domain": f"domain-{i % n_domains}"},
        )
        for i in range(n_systems)
    ]
    resources = []
    for i in range(n_resources):
        name = f"{rng.choice(_WORDS)}-{rng.choice(['db', 'cache', 'topic', 'bucket'])}-{i}"
        cat.resources.append(name)
        resources.append(
            _doc(
                "Resource",
                name,
                {
                    "type": name.split("-")[1],
                    "owner": rng.choice(squads),
                    "system": f"system-{rng.randrange(n_systems)}",
                },
            )
        )

    org_dir = root / "org"
    org_dir.mkdir(exist_ok=True)
    for label, docs in (
        ("groups", groups),
        ("users", users),
        ("domains", domains),
        ("systems", systems),
        ("resources", resources),
    ):
        for start in range(0, len(docs), _PER_FILE):
            path = org_dir / f"{label}-{start // _PER_FILE:05d}.yaml"
            path.write_text(_dump(docs[start : start + _PER_FILE]), encoding="utf-8")
            cat.files.append(path)

    names = [f"{rng.choice(_WORDS)}-{rng.choice(_WORDS)}-{i}" for i in range(n_components)]
    cat.components = names
    provides = {name: f"{name}-api" for name in names if rng.random() < 0.25}
    cat.apis = list(provides.values())
    repos = root / "repos"
    repos.mkdir(exist_ok=True)
    for i, name in enumerate(names):
        deps = [f"resource:{rng.choice(cat.resources)}" for _ in range(rng.randrange(3))]
        if i > 10:  # depend on earlier components, so chains form
            deps += [
                f"component:{names[rng.randrange(max(0, i - 500), i)]}"
                for _ in range(rng.randrange(3))
            ]
        pool = cat.apis[: max(1, len(cat.apis) * i // n_components)]
        consumes = rng.sample(pool, k=min(rng.randrange(3), len(pool)))
        squad = rng.choice(squads)
        spec: dict[str, object] = {
            "type": rng.choice(["service", "service", "website", "library"]),
            "lifecycle": rng.choice(["production", "production", "experimental", "deprecated"]),
            "owner": squad,
            "system": f"system-{rng.randrange(n_systems)}",
            "dependsOn": sorted(set(deps)),
            "consumesApis": sorted(set(consumes)),
        }
        docs = []
        if name in provides:
            spec["providesApis"] = [provides[name]]
            docs.append(
                _doc(
                    "API",
                    provides[name],
                    {
                        "type": "openapi",
                        "lifecycle": "production",
                        "owner": squad,
                        "definition": json.dumps(
                            {"openapi": "3.0.0", "info": {"title": name, "version": "1"}}
                        ),
                    },
                )
            )
        docs.insert(
            0,
            _doc(
                "Component",
                name,
                spec,
                title=name.replace("-", " ").title(),
                description=f"The {name.split('-')[0]} {name.split('-')[1]} service",
                tags=[name.split("-")[0], spec["type"]],
                annotations={
                    "backstage.io/kubernetes-id": name,
                    "backstage.io/techdocs-ref": "dir:.",
                },
            ),
        )
        folder = repos / name
        folder.mkdir(exist_ok=True)
        path = folder / "catalog-info.yaml"
        path.write_text(_dump(docs), encoding="utf-8")
        cat.files.append(path)

    location = _doc(
        "Location", "synthetic", {"targets": ["./org/*.yaml", "./repos/*/catalog-info.yaml"]}
    )
    cat.location_file.write_text(_dump([location]), encoding="utf-8")
    cat.files.insert(0, cat.location_file)
    cat.counts = {
        "group": len(groups),
        "user": len(users),
        "domain": len(domains),
        "system": len(systems),
        "resource": len(resources),
        "component": len(names),
        "api": len(provides),
        "location": 1,
    }
    return cat


def cached_catalog(size: int, out: Path) -> Path:
    """The folder of a ``size``-entity catalog under ``out``, generated once and reused."""
    import shutil
    import time

    folder = out / f"catalog-{size}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        cat = write_catalog(folder, size)
        marker.write_text(json.dumps({"counts": cat.counts, "files": len(cat.files)}))
        print(f"  generated {size:,} entities in {time.perf_counter() - started:.1f}s", flush=True)
    return folder
