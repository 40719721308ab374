"""Fixtures for Slack scenarios: a loopback Slack, a small catalog, greenroom served for real.

- ``slack_api``: a started :class:`~bot.loopback.slack.LoopbackSlack` with the members of
  ``workspace.SLACK_USERS`` (alice, bob, carol: in the catalog; nobody: not; no_email).
- ``write_catalog(yaml_text)``: writes a catalog file in a temp folder and syncs it into the
  test database (``engine``: SQLite and PostgreSQL).
- ``acme``: the small ACME catalog below, synced.
- ``serve_greenroom(capabilities=..., techdocs=..., config=..., answer_processes=0,
  **slack_settings)``: starts ``greenroom serve``'s web app on the test database, talking to
  ``slack_api`` (with ``answer_processes``, answered by a pool of that many processes);
  returns a :class:`Workspace`. ``techdocs`` is the ``techdocs:`` settings (default: sites
  under tmp), ``config`` any other settings (e.g. ``{"scaffolder": {...}}``).
- ``workspace``: ``serve_greenroom()`` on the ACME catalog.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.capabilities import CAPABILITIES
from bot.loopback.signed_requests import SignedRequests
from bot.loopback.slack import LoopbackSlack
from bot.web.answer_pool import AnswerPool
from bot.web.app import create_web_app
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from commands import Capability
from runtime.process import Runtime
from runtime.settings import load_settings
from tests.scenarios.workspace import SLACK_USERS, UvicornThread, Workspace

SIGNING_SECRET = "test-signing-secret"

ACME = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: acme, title: ACME}
spec: {type: organization, children: [payments, search, lonely]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
  title: Payments team
  description: Takes the money.
  annotations: {slack.com/channel: C0PAYMENTS}
  links: [{url: "https://wiki.acme.example/payments", title: Wiki}]
spec:
  type: team
  parent: acme
  children: []
  profile: {displayName: Payments team, email: payments@acme.example}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: search, annotations: {slack.com/channel: "#search"}}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: lonely}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice Archer, email: alice@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob, annotations: {slack.com/user_id: U0BOB}}
spec: {profile: {displayName: Bob Baker, email: bob.b@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carol}
spec: {profile: {displayName: Carol Chen, email: Carol@ACME.example}, memberOf: [search]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: dave}
spec: {profile: {displayName: Dave Dunn, email: dave@acme.example}, memberOf: []}
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: commerce}
spec: {owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: money, title: Money}
spec: {owner: payments, domain: commerce}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  title: Payments API
  description: Authorises and captures card payments.
  links: [{url: "https://runbooks.acme.example/payments", title: Runbook}]
spec:
  type: service
  lifecycle: production
  owner: payments
  system: money
  dependsOn: [resource:payments-db]
  providesApis: [payments-v1]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout, description: The checkout flow.}
spec:
  type: service
  lifecycle: production
  owner: search
  consumesApis: [payments-v1]
  dependsOn: [component:payments-api]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web}
spec: {type: website, lifecycle: production, owner: search, dependsOn: [component:checkout]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: sneaky
  title: "<!channel> *alert* <@U0ALICE>"
  description: "Ping <!here> & <@U123ABC> now <https://evil.example|click> <!subteam^S1>"
  links: [{url: "https://evil.example|<!channel>", title: "<!everyone>"}]
spec: {type: service, lifecycle: experimental, owner: payments, system: money}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: orphan}
spec: {type: service, lifecycle: deprecated, owner: group:ghosts, system: money}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: legacy-batch}
spec:
  type: batch
  lifecycle: deprecated
  owner: payments
  dependsOn: [component:vanished]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: search}
spec: {type: service, lifecycle: production, owner: search}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: payments-db, description: PostgreSQL for payments.}
spec: {type: database, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments-v1}
spec: {type: openapi, lifecycle: production, owner: payments, definition: "openapi: 3.0.0"}
"""

SHARDS = 30


def _shards() -> str:
    return "".join(
        f"""---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {{name: search-shard-{i:02d}, description: Shard {i} of the search index.}}
spec: {{type: service, lifecycle: production, owner: search, dependsOn: [component:search]}}
"""
        for i in range(1, SHARDS + 1)
    )


@pytest.fixture
def slack_api() -> Iterator[LoopbackSlack]:
    """The loopback Slack Web API, with the workspace's members."""
    with LoopbackSlack() as slack:
        for user_id, email in SLACK_USERS.items():
            slack.add_user(user_id, email=email, name=user_id[2:].capitalize())
        yield slack


@pytest.fixture
def write_catalog(engine: Engine, tmp_path: Path) -> Callable[[str], None]:
    """Write ``yaml_text`` as the catalog and sync it (replacing the previous one)."""

    def write(yaml_text: str) -> None:
        folder = tmp_path / "catalog"
        folder.mkdir(exist_ok=True)
        (folder / "catalog-info.yaml").write_text(textwrap.dedent(yaml_text), encoding="utf-8")
        report = sync_catalog(engine, [DirectorySource("test", folder)])
        problems = [p for s in report.sources for p in s.problems if p.level == "error"]
        assert report.status == "ok" and not problems, problems

    return write


@pytest.fixture
def acme(write_catalog: Callable[[str], None]) -> None:
    """The ACME catalog (with 30 search shards for paging)."""
    write_catalog(ACME + _shards())


@pytest.fixture
def serve_greenroom(
    engine: Engine, database_url: str, slack_api: LoopbackSlack, tmp_path: Path
) -> Iterator[Callable[..., Workspace]]:
    """Start greenroom's web app (uvicorn, real sockets) on the test database."""
    started: list[tuple[UvicornThread, Workspace]] = []

    def serve(
        capabilities: Sequence[Capability] = CAPABILITIES,
        *,
        techdocs: dict[str, Any] | None = None,
        config: dict[str, Any] | None = None,
        answer_processes: int = 0,
        **slack: Any,
    ) -> Workspace:
        environ = {
            "SLACK_BOT_TOKEN": slack_api.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_api.api_url,
            **slack.pop("environ", {}),
        }
        slack.setdefault("response_url_origins", [slack_api.url])
        settings = load_settings(
            None,
            environ=environ,
            database_url=database_url,
            data_dir=tmp_path,
            slack=slack,
            **({"techdocs": techdocs or {}} | (config or {})),
        )
        runtime = Runtime(settings, engine)
        pool = AnswerPool(settings, answer_processes, capabilities) if answer_processes else None
        server = UvicornThread(create_web_app(runtime, capabilities=capabilities, answer_pool=pool))
        url = server.start()
        requests = SignedRequests(SIGNING_SECRET, team_id=slack_api.team_id)
        workspace = Workspace(url, slack_api, requests, settings.slack.command, stop=server.stop)
        started.append((server, workspace))
        return workspace

    yield serve
    for server, workspace in started:
        workspace.close()
        server.stop()


@pytest.fixture
def workspace(serve_greenroom: Callable[..., Workspace], acme: None) -> Workspace:
    """greenroom served on the ACME catalog."""
    return serve_greenroom()
