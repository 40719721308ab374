"""A small company whose services have real mkdocs sites, for the TechDocs scenarios.

:func:`build_docs_company` writes the repositories and builds their sites once (real mkdocs, in
a SQLite database of its own); :func:`load_docs_company` syncs the same catalog into a test's
database (SQLite or PostgreSQL) and copies the build records there, so every test sees the
sites as the worker left them without building them again.

| entity | owner | docs |
|---|---|---|
| payments-api | payments | built: Overview, Runbook, Refunds guide |
| ledger | payments | built, then the rebuild fails (a link to a missing page) |
| wallet | payments | none (no techdocs-ref) |
| fresh | payments | never built |
| sneaky | payments | built; site name, nav, headings and text full of Slack syntax |
| checkout | search | built |
| handbook | guides | built; eight "Deploy step" pages (for paging) |
| remote | search | cannot be built here (a url: ref, no repository cache) |
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import Engine, delete, insert, select

from catalog import Catalog, parse_ref
from catalog.database import create_database_engine, upgrade_schema, writer
from catalog.sources import DirectorySource
from catalog.sync import SyncOptions, sync_catalog
from integrations.techdocs import TechDocsSettings, build_all_docs
from integrations.techdocs.tables import docs_builds, docs_state

__all__ = ["BASE_URL", "DocsCompany", "build_docs_company", "load_docs_company"]

BASE_URL = "https://greenroom.acme.example/docs"

ORG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: acme, title: ACME}
spec: {type: organization, children: [payments, search, guides]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, title: Payments team}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: search, title: Search team}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: guides}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice Archer, email: alice@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carol}
spec: {profile: {displayName: Carol Chen, email: carol@acme.example}, memberOf: [search]}
"""

PAYMENTS = {
    "mkdocs.yml": """
site_name: Payments API
nav:
  - Overview: index.md
  - Runbook: runbook.md
  - Refunds guide: guides/refunds.md
""",
    "docs/index.md": "# Payments API\n\nThe payments API authorises card payments.\n",
    "docs/runbook.md": "# Runbook\n\n## Restarts\n\nRestart the pods with kubectl rollout "
    "restart.\n\n## Dead letter queue\n\nRefunds that failed five times land in the dead "
    "letter queue.\n",
    "docs/guides/refunds.md": "# Refunds guide\n\nA refund reverses a captured payment.\n",
}
LEDGER = {"mkdocs.yml": "site_name: Ledger\n", "docs/index.md": "# Ledger\n\nDouble entry.\n"}
LEDGER_BROKEN = "# Ledger\n\nDouble entry. See [the journal](journal.md).\n"
FRESH = {"mkdocs.yml": "site_name: Fresh\n", "docs/index.md": "# Fresh\n\nNew service.\n"}
SNEAKY = {
    "mkdocs.yml": 'site_name: "<!here> site"\nnav:\n  - "<!channel> *Deploy*": index.md\n',
    "docs/index.md": "# \\<!channel\\> *Deploy* \\<@U0ALICE\\>\n\nDeploy <!here> now &amp; "
    "`<!subteam^S1>` then <https://evil.example|click>.\n\n## Step <@U0BOB> deploy\n\n"
    "Deploy carefully <!everyone>.\n",
}
CHECKOUT = {
    "mkdocs.yml": "site_name: Checkout\n",
    "docs/index.md": "# Checkout\n\nTurns a basket into an order.\n\n## Payments\n\n"
    "Checkout calls the payments API; refunds go through the dead letter queue too.\n",
}
HANDBOOK = {
    "mkdocs.yml": "site_name: Handbook\n",
    "docs/index.md": "# Handbook\n\nHow we work.\n",
    **{
        f"docs/step-{i}.md": f"# Deploy step {i}\n\nDeploy part {i} of the release.\n"
        for i in range(1, 9)
    },
}


def _component(name: str, owner: str, *, annotation: str | None = "dir:.", **meta: object) -> str:
    metadata: dict[str, object] = {"name": name, **meta}
    if annotation:
        metadata["annotations"] = {"backstage.io/techdocs-ref": annotation}
    return yaml.safe_dump(
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": metadata,
            "spec": {"type": "service", "lifecycle": "production", "owner": owner},
        }
    )


REPOS: dict[str, tuple[str, dict[str, str]]] = {
    "payments-api": (
        _component(
            "payments-api",
            "payments",
            title="Payments API",
            description="Takes card payments.",
            links=[{"url": "https://runbooks.acme.example/payments", "title": "Pager runbook"}],
        ),
        PAYMENTS,
    ),
    "ledger": (_component("ledger", "payments"), LEDGER),
    "wallet": (_component("wallet", "payments", annotation=None), {}),
    "fresh": (_component("fresh", "payments"), FRESH),
    "sneaky": (_component("sneaky", "payments", title="<!channel> *alert*"), SNEAKY),
    "checkout": (_component("checkout", "search"), CHECKOUT),
    "handbook": (_component("handbook", "guides"), HANDBOOK),
    "remote": (
        _component("remote", "search", annotation="url:https://github.com/acme/remote/tree/main/"),
        {},
    ),
}
NOT_BUILT = ("fresh",)


@dataclass(frozen=True)
class DocsCompany:
    """The repositories, the built sites and the build records to copy into tests."""

    repos: Path
    settings: TechDocsSettings
    rows: dict[str, list[dict[str, object]]]

    @property
    def techdocs(self) -> dict[str, object]:
        """The ``techdocs:`` settings that serve and link these sites."""
        return {"storage_dir": str(self.settings.root), "base_url": BASE_URL}


def build_docs_company(folder: Path) -> DocsCompany:
    """Write the repositories and build every site (but ``fresh``) with real mkdocs."""
    repos = folder / "repos"
    for name, (catalog_info, files) in REPOS.items():
        _write(repos / name, {"catalog-info.yaml": catalog_info, **files})
    _write(repos / "org", {"catalog-info.yaml": ORG})
    engine = create_database_engine(f"sqlite:///{folder / 'build.db'}")
    upgrade_schema(engine)
    catalog = _sync(engine, repos)
    settings = TechDocsSettings(storage_dir=folder / "sites", base_url=BASE_URL, parallel_builds=2)
    refs = [parse_ref(f"component:{n}") for n in REPOS if n not in NOT_BUILT]
    build_all_docs(catalog, settings, refs)
    (repos / "ledger" / "docs" / "index.md").write_text(LEDGER_BROKEN, encoding="utf-8")
    build_all_docs(catalog, settings, [parse_ref("component:ledger")])
    with engine.connect() as conn:
        rows = {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in TABLES}
    engine.dispose()
    return DocsCompany(repos, settings, rows)


TABLES = (docs_builds, docs_state)


def load_docs_company(engine: Engine, company: DocsCompany) -> Catalog:
    """The company's catalog in ``engine``, with the build records the sites came from."""
    catalog = _sync(engine, company.repos)
    with writer(engine).begin() as conn:
        for table in TABLES:
            conn.execute(delete(table))
            if company.rows[table.name]:
                conn.execute(insert(table), company.rows[table.name])
    return catalog


def _sync(engine: Engine, repos: Path) -> Catalog:
    report = sync_catalog(engine, [DirectorySource("repos", repos)], SyncOptions(trigger="test"))
    assert report.exit_code == 0, report
    return Catalog(engine)


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), encoding="utf-8")
