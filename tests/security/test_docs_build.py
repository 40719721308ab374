"""A repository's docs build reaches no network and reads no file outside the repository,
whatever Markdown extension or option its ``mkdocs.yml`` picks.

Three walls, each tried as an attacker would: the reported attack end to end (the page, the
search index and ``/greenroom docs search``), the option schemas (``mkdocs_options``), and the
build process itself (``_build_sandbox``), fed configs that skip the schemas, with and without
its network namespace.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from catalog import parse_ref
from integrations.errors import DocsBuildFailed
from integrations.techdocs import BuildOutcome, build_all_docs
from integrations.techdocs.mkdocs_process import MkdocsResult, run_mkdocs
from integrations.techdocs.storage import SiteStorage
from tests.fakes.plantuml_server import MARKER, FakePlantUml, serve_plantuml
from tests.integrations.techdocs.docs_world import (
    docs_settings,
    make_repo,
    require_graphviz,
    sqlite_engine,
    sync_folder,
)
from tests.scenarios.conftest import serve_greenroom, slack_api  # noqa: F401 (fixtures)
from tests.scenarios.workspace import Workspace

SVC = parse_ref("component:default/svc")
PASSWD_LINE = "root:x:0:0"
DIAGRAM = "```plantuml\n@startuml\n!include /etc/passwd\nAlice -> Bob: hi\n@enduml\n```\n"


@pytest.fixture
def plantuml() -> Iterator[FakePlantUml]:
    with serve_plantuml() as fake:
        yield fake


def reported_config(server: str) -> str:
    """The mkdocs.yml of the report: a PlantUML server of the repository's choosing."""
    return (
        "site_name: Svc\nmarkdown_extensions:\n  - plantuml_markdown:\n"
        f"      server: {server}\n      format: txt\n      http_method: POST\n"
    )


def build_repo(engine: Engine, tmp_path: Path, files: dict[str, str]) -> BuildOutcome:
    """Sync one repository ``svc`` into ``engine`` and build its docs."""
    make_repo(tmp_path / "repos", "svc", files, owner="team-a")
    catalog = sync_folder(engine, tmp_path / "repos")
    (outcome,) = build_all_docs(catalog, docs_settings(tmp_path / "sites")).outcomes
    return outcome


def published_text(root: Path) -> str:
    """Every file of every published site (pages, search index, assets) as text."""
    return "\n".join(
        p.read_text(errors="replace")
        for p in root.rglob("*")
        if p.is_file() and ".tmp" not in p.parts
    )


# -- the reported attack, end to end ----------------------------------------------------------
def test_plantuml_server_named_in_mkdocs_yml_is_never_contacted(
    engine: Engine, tmp_path: Path, plantuml: FakePlantUml
) -> None:
    files = {"mkdocs.yml": reported_config(plantuml.url), "docs/index.md": "# Svc\n\n" + DIAGRAM}
    outcome = build_repo(engine, tmp_path, files)
    assert plantuml.requests == []
    assert outcome.status == "failed"
    assert outcome.reason == (
        "mkdocs.yml: markdown extension plantuml_markdown.server is not allowed: it makes the "
        "build fetch from a server, and builds run without network"
    )


def test_host_file_reaches_no_page_index_or_slack_search(
    engine: Engine,
    tmp_path: Path,
    plantuml: FakePlantUml,
    serve_greenroom: Callable[..., Workspace],  # noqa: F811
) -> None:
    files = {"mkdocs.yml": reported_config(plantuml.url), "docs/index.md": "# Svc\n\n" + DIAGRAM}
    build_repo(engine, tmp_path, files)
    assert PASSWD_LINE not in published_text(tmp_path / "sites")
    assert MARKER not in published_text(tmp_path / "sites")
    ws = serve_greenroom(techdocs={"storage_dir": str(tmp_path / "sites")})
    for words in ("root", MARKER):
        assert f"No docs pages match “{words}”." in ws.text(ws.ask(f"docs search {words}"))


# -- the option schemas -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("extensions", "reason"),
    [
        (
            "  - plantuml_markdown:\n      servers: ['http://127.0.0.1:9/']\n",
            "plantuml_markdown.servers is not allowed: it makes the build fetch from a server",
        ),
        (
            "  - plantuml_markdown:\n      kroki_server: 'http://127.0.0.1:9/'\n",
            "plantuml_markdown.kroki_server is not allowed: it makes the build fetch",
        ),
        (
            "  - plantuml_markdown:\n      cachedir: /tmp/greenroom-cache\n",
            "plantuml_markdown.cachedir is not allowed: it writes files outside the site",
        ),
        (
            "  - pymdownx.snippets:\n      url_download: true\n",
            "pymdownx.snippets.url_download is not allowed: it makes the build fetch",
        ),
        (
            "  - pymdownx.emoji:\n"
            "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
            "      options: {custom_icons: [/etc]}\n",
            "pymdownx.emoji.options.custom_icons '/etc' points outside the repository",
        ),
        (
            "  - codehilite:\n      full: true\n      cssfile: /tmp/greenroom.css\n",
            "markdown extension codehilite: unknown option 'full'",
        ),
    ],
    ids=[
        "plantuml-servers", "kroki", "plantuml-cachedir", "snippets-url", "emoji-icons",
        "codehilite-passes-options-to-pygments",
    ],
)  # fmt: skip
def test_extension_option_that_could_reach_out_fails_the_build_by_name(
    tmp_path: Path, extensions: str, reason: str
) -> None:
    files = {
        "mkdocs.yml": f"site_name: Svc\nmarkdown_extensions:\n{extensions}",
        "docs/index.md": "# Svc\n",
    }
    outcome = build_repo(sqlite_engine(tmp_path / "db.sqlite"), tmp_path, files)
    assert outcome.status == "failed"
    assert reason in (outcome.reason or "")


@pytest.mark.parametrize(
    ("plugin", "reason"),
    [
        (
            "  - redirects:\n      redirect_maps: {old.md: 'https://evil.example/login'}\n",
            "redirects to other sites are not allowed",
        ),
        (
            "  - search:\n      prebuild_index: node\n",
            "plugin search.prebuild_index is not allowed: it runs node or lunr.py as a program",
        ),
    ],
    ids=["redirect-elsewhere", "search-runs-node"],
)
def test_plugin_option_that_could_reach_out_fails_the_build_by_name(
    tmp_path: Path, plugin: str, reason: str
) -> None:
    files = {"mkdocs.yml": f"site_name: Svc\nplugins:\n{plugin}", "docs/index.md": "# Svc\n"}
    outcome = build_repo(sqlite_engine(tmp_path / "db.sqlite"), tmp_path, files)
    assert outcome.status == "failed"
    assert reason in (outcome.reason or "")


# -- the build process, fed configs that skip the schemas ---------------------------------------
def run_staged(tmp_path: Path, config: str, pages: dict[str, str], **options: Any) -> MkdocsResult:
    """Run the build process on a staged config as is: no sanitizing, only the sandbox."""
    staging = tmp_path / "scratch" / "src"
    for rel, text in {"mkdocs.yml": config, **pages}.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    return run_mkdocs(
        staging / "mkdocs.yml",
        site,
        scratch=tmp_path / "scratch",
        strict=False,
        timeout=60,
        **options,
    )


NAMESPACES = pytest.mark.parametrize(
    "isolation", [{}, {"network_namespace": False}], ids=["namespace", "audit-hook-only"]
)


@NAMESPACES
def test_build_cannot_reach_the_network_even_when_a_config_skips_the_checks(
    tmp_path: Path, plantuml: FakePlantUml, isolation: dict[str, bool]
) -> None:
    diagram = "```plantuml\n@startuml\nAlice -> Bob: hi\n@enduml\n```\n"
    with pytest.raises(DocsBuildFailed) as failure:
        run_staged(
            tmp_path,
            reported_config(plantuml.url),
            {"docs/index.md": "# S\n\n" + diagram},
            **isolation,
        )
    assert plantuml.requests == []
    assert "the build tried looking up 127.0.0.1" in failure.value.user_message
    assert "never use the network" in failure.value.user_message


@NAMESPACES
@pytest.mark.parametrize(
    ("extension", "page"),
    [
        ("plantuml_markdown: {server: 'http://127.0.0.1:9/', format: txt}", DIAGRAM),
        ("pymdownx.snippets: {restrict_base_path: false}", '--8<-- "/etc/passwd"\n'),
    ],
    ids=["plantuml-include", "snippet"],
)
def test_build_cannot_read_host_files_even_when_a_config_skips_the_checks(
    tmp_path: Path, isolation: dict[str, bool], extension: str, page: str
) -> None:
    config = f"site_name: S\nmarkdown_extensions:\n  - {extension}\n"
    with pytest.raises(DocsBuildFailed) as failure:
        run_staged(tmp_path, config, {"docs/index.md": "# S\n\n" + page}, **isolation)
    assert "the build tried reading /etc/passwd (outside the repository)" in (
        failure.value.user_message
    )
    assert PASSWD_LINE not in published_text(tmp_path / "site")


def test_build_starts_no_program_but_graphviz(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    config = (
        "site_name: S\nmarkdown_extensions:\n"
        f"  - plantuml_markdown: {{plantuml_cmd: 'touch {marker}'}}\n"
    )
    diagram = "```plantuml\n@startuml\nAlice -> Bob: hi\n@enduml\n```\n"
    with pytest.raises(DocsBuildFailed, match="the build tried running the program touch"):
        run_staged(tmp_path, config, {"docs/index.md": "# S\n\n" + diagram})
    assert not marker.exists()


def test_build_writes_nothing_outside_its_site(tmp_path: Path) -> None:
    cache = tmp_path / "elsewhere" / "cache"
    config = (
        "site_name: S\nmarkdown_extensions:\n"
        f"  - plantuml_markdown: {{server: 'http://127.0.0.1:9/', cachedir: '{cache}'}}\n"
    )
    diagram = "```plantuml\n@startuml\nAlice -> Bob: hi\n@enduml\n```\n"
    with pytest.raises(DocsBuildFailed, match=f"the build tried changing {cache.parent} "):
        run_staged(tmp_path, config, {"docs/index.md": "# S\n\n" + diagram})
    assert not cache.exists()


def test_build_runs_in_a_network_namespace_of_its_own(tmp_path: Path) -> None:
    if os.geteuid() != 0 and not Path("/proc/sys/user/max_user_namespaces").is_file():
        pytest.skip("this kernel offers no namespaces to an unprivileged user")
    result = run_staged(tmp_path, "site_name: S\n", {"docs/index.md": "# S\n"})
    assert result.network in ("network namespace", "user and network namespace")


# -- Graphviz, the one renderer that runs ------------------------------------------------------
def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_graphviz_diagram_cannot_pull_in_a_host_file(tmp_path: Path) -> None:
    require_graphviz()
    secret = tmp_path / "host" / "secret.png"
    secret.parent.mkdir()
    secret.write_bytes(_png())
    diagram = f'```graphviz dot g.svg\ndigraph G {{ a [image="{secret}", label=""]; }}\n```\n'
    files = {
        "mkdocs.yml": "site_name: Svc\nmarkdown_extensions: [markdown_inline_graphviz]\n",
        "docs/index.md": "# Svc\n\n" + diagram,
    }
    outcome = build_repo(sqlite_engine(tmp_path / "db.sqlite"), tmp_path, files)
    assert outcome.status == "built", outcome.reason
    site = SiteStorage(tmp_path / "sites").live(SVC)
    assert site is not None
    page = (site / "index.html").read_text()
    assert "<svg" in page and str(secret) not in page
