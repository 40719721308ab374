"""Fixtures: a session-wide "world" of built sites shared by the read-only tests, and a real
uvicorn serving it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from integrations.techdocs import build_all_docs

from .docs_world import (
    BROKEN_DOCS,
    CHECKOUT_DOCS,
    PAYMENTS_DOCS,
    Server,
    World,
    docs_settings,
    make_repo,
    serve,
    sqlite_engine,
    sync_folder,
)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("docs-world")
    repos = base / "repos"
    make_repo(repos, "payments-api", PAYMENTS_DOCS, owner="team-pay", title="Payments API")
    make_repo(repos, "checkout", CHECKOUT_DOCS, owner="team-shop")
    make_repo(repos, "broken", BROKEN_DOCS, owner="team-pay")
    make_repo(
        repos, "legacy", {"README.md": "# Legacy billing\n\nThe old invoicing system.\n"},
        owner="team-pay",
    )  # fmt: skip
    make_repo(repos, "no-docs", {}, owner="team-pay", annotation=None)
    make_repo(
        repos, "remote", {}, owner="team-shop",
        annotation="url:https://github.com/example/elsewhere/tree/main/",
    )  # fmt: skip
    engine = sqlite_engine(base / "world.db")
    catalog = sync_folder(engine, repos)
    settings = docs_settings(base / "sites", parallel_builds=2)
    build_all_docs(catalog, settings)
    yield World(catalog, settings, repos)
    engine.dispose()


@pytest.fixture(scope="session")
def world_server(world: World) -> Iterator[Server]:
    yield from serve(world.settings)
