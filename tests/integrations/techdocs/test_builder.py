"""One site's build from untrusted sources: hostile configs never run code or read outside the
repository, and every failure says why in words a docs author can act on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.loopback.github_api import FakeGitHub
from catalog import Catalog, parse_ref
from catalog.database import writer
from catalog.ingest import parse_entity
from catalog.sources import Origin, ScannedFile, SourcedEntity
from catalog.sync import SourceScan, apply_scan
from integrations.repositories import RepositoriesSettings, RepositoryCache, RepositoryHostSettings
from integrations.techdocs import BuildOutcome, build_all_docs, load_builds
from integrations.techdocs.mkdocs_process import build_environment
from integrations.techdocs.storage import SiteStorage

from .docs_world import docs_settings, make_repo, require_graphviz, sqlite_engine, sync_folder

SVC = parse_ref("component:default/svc")
Build = Callable[..., BuildOutcome]


@pytest.fixture
def build(tmp_path: Path) -> Build:
    """Write one repository ``svc`` with ``files`` and build it; returns its outcome."""
    engine = sqlite_engine(tmp_path / "db.sqlite")

    def run(
        files: dict[str, str], settings: dict[str, Any] | None = None, **entity: Any
    ) -> BuildOutcome:
        entity.setdefault("owner", "team-a")
        make_repo(tmp_path / "repos", "svc", files, **entity)
        catalog = sync_folder(engine, tmp_path / "repos")
        report = build_all_docs(catalog, docs_settings(tmp_path / "sites", **(settings or {})))
        (outcome,) = report.outcomes
        return outcome

    return run


def site_text(root: Path) -> str:
    site = SiteStorage(root).live(SVC)
    assert site is not None
    return "\n".join(p.read_text(errors="replace") for p in site.rglob("*.html"))


def test_techdocs_core_configurations_build_with_material(build: Build, tmp_path: Path) -> None:
    outcome = build(
        {
            "mkdocs.yml": "site_name: Svc\nplugins:\n  - techdocs-core\n",
            "docs/index.md": "# Svc\n\n!!! note\n    An admonition from techdocs-core.\n",
        }
    )
    assert outcome.status == "built", outcome.reason
    html = site_text(tmp_path / "sites")
    assert "admonition" in html and "md-header" in html  # material's layout


def test_repository_with_only_a_readme_gets_a_site(build: Build, tmp_path: Path) -> None:
    outcome = build({"README.md": "# Svc readme\n\nHello from the readme.\n"})
    assert outcome.status == "built", outcome.reason
    assert "Hello from the readme." in site_text(tmp_path / "sites")


def test_missing_plugin_is_reported_as_not_installed(build: Build) -> None:
    outcome = build(
        {
            "mkdocs.yml": "site_name: S\nplugins: [search, awesome-pages]\n",
            "docs/index.md": "# S\n",
        },
        settings={"extra_plugins": ("awesome-pages",)},
    )
    assert (outcome.status, outcome.reason) == ("failed", 'plugin "awesome-pages" is not installed')


def test_bad_yaml_is_reported_with_its_line(build: Build) -> None:
    outcome = build({"mkdocs.yml": "site_name: S\nnav:\n  - [unclosed\n", "docs/index.md": "# S\n"})
    assert outcome.status == "failed"
    assert outcome.reason is not None and outcome.reason.startswith("mkdocs.yml line 4")
    assert "YAML syntax error" in outcome.reason


def test_broken_links_fail_under_strict_and_pass_when_strict_is_off(
    build: Build, tmp_path: Path
) -> None:
    files = {"mkdocs.yml": "site_name: S\n", "docs/index.md": "# S\n\n[x](nope.md)\n"}
    strict = build(files)
    assert (
        strict.reason
        == "page index.md links to missing nope.md (strict mode: warnings fail the build)"
    )
    lenient = build(files, settings={"strict": False})
    assert lenient.status == "built"
    assert lenient.warnings == ("page index.md links to missing nope.md",)


def test_python_object_tag_is_refused_and_never_runs(build: Build, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    outcome = build(
        {
            "mkdocs.yml": f'site_name: !!python/object/apply:os.system ["touch {marker}"]\n',
            "docs/index.md": "# S\n",
        }
    )
    assert outcome.status == "failed"
    assert outcome.reason == (
        "mkdocs.yml line 1: the tag !!python/object/apply:os.system would run or import "
        "Python code, which is not allowed (only !!python/name: of the standard emoji and "
        "fence helpers is)"
    )
    assert not marker.exists()


def test_hooks_file_is_refused_and_never_imported(build: Build, tmp_path: Path) -> None:
    marker = tmp_path / "hooked"
    outcome = build(
        {
            "mkdocs.yml": "site_name: S\nhooks:\n  - hooks.py\n",
            "hooks.py": f"open({str(marker)!r}, 'w').write('ran')\n",
            "docs/index.md": "# S\n",
        }
    )
    assert outcome.status == "failed"
    assert outcome.reason is not None and "hooks are not allowed" in outcome.reason
    assert not marker.exists()


@pytest.mark.parametrize(
    "config",
    [
        "site_name: S\ndocs_dir: /etc\n",
        "site_name: S\ndocs_dir: ../../../../../../etc\n",
        "site_name: S\nnav:\n  - Home: index.md\n  - Passwd: ../../../../../../etc/passwd\n",
        "site_name: S\nnav:\n  - Passwd: /etc/passwd\n",
    ],
)
def test_configs_reaching_for_etc_passwd_are_refused(build: Build, config: str) -> None:
    outcome = build({"mkdocs.yml": config, "docs/index.md": "# S\n"})
    assert outcome.status == "failed"
    assert "outside" in (outcome.reason or "") or "docs_dir" in (outcome.reason or "")


def test_symlinked_passwd_is_refused_and_never_published(build: Build, tmp_path: Path) -> None:
    repo = tmp_path / "repos" / "svc"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "passwd.md").symlink_to("/etc/passwd")
    outcome = build({"mkdocs.yml": "site_name: S\n", "docs/index.md": "# S\n"})
    assert (outcome.status, outcome.reason) == (
        "failed",
        "docs/passwd.md is a symlink pointing outside the repository; not allowed",
    )
    assert SiteStorage(tmp_path / "sites").live(SVC) is None


def test_snippets_cannot_include_files_outside_the_repository(build: Build, tmp_path: Path) -> None:
    outcome = build(
        {
            "mkdocs.yml": "site_name: S\nmarkdown_extensions:\n  - pymdownx.snippets\n",
            "docs/index.md": '# S\n\n--8<-- "docs/part.txt"\n\n--8<-- "/etc/passwd"\n',
            "docs/part.txt": "Included from inside the repository.\n",
        },
    )
    assert outcome.status == "built", outcome.reason
    html = site_text(tmp_path / "sites")
    assert "Included from inside the repository." in html
    assert "root:x:0:0" not in html


def test_secrets_in_the_environment_never_reach_the_site(
    build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    outcome = build(
        {
            "mkdocs.yml": "site_name: !ENV [SLACK_BOT_TOKEN, 'Safe name']\n",
            "docs/index.md": "# S\n",
        }
    )
    assert outcome.status == "built"
    html = site_text(tmp_path / "sites")
    assert "Safe name" in html and "xoxb-very-secret" not in html
    env = build_environment(tmp_path, tmp_path / "src" / "docs")
    assert sorted(env) == ["GV_FILE_PATH", "HOME", "LANG", "PATH", "SERVER_NAME", "TMPDIR"]
    assert env["HOME"] == str(tmp_path / "home") and env["TMPDIR"] == str(tmp_path / "tmp")


def test_build_over_the_time_limit_is_stopped(build: Build) -> None:
    outcome = build(
        {"mkdocs.yml": "site_name: S\n", "docs/index.md": "# S\n"},
        settings={"build_timeout_seconds": 0.05},
    )
    assert (outcome.status, outcome.reason) == (
        "failed",
        "the build took longer than 0.05 s and was stopped",
    )


def test_remote_url_ref_without_a_repository_cache_is_unavailable(
    build: Build, tmp_path: Path
) -> None:
    outcome = build({}, annotation="url:https://github.com/acme/handbook/tree/main/")
    assert outcome.status == "unavailable"
    assert "no repository cache was given to clone it" in (outcome.reason or "")
    record = load_builds(sqlite_engine(tmp_path / "db.sqlite"))[SVC]
    assert record.status == "unavailable" and not record.has_site


def test_url_ref_to_another_repository_is_cloned_and_built(tmp_path: Path) -> None:
    with FakeGitHub(tmp_path / "github") as github:
        github.seed_repository(
            "globex/handbook",
            {
                "payments/mkdocs.yml": "site_name: Payments handbook\n",
                "payments/docs/index.md": "# Handbook\n\nCloned from the handbook repository.\n",
            },
            private=False,
        )
        host = RepositoryHostSettings(url=github.url, type="github")
        cache = RepositoryCache(tmp_path / "clones", RepositoriesSettings(hosts=[host]))
        make_repo(
            tmp_path / "repos", "svc", {}, owner="team-a",
            annotation=f"url:{github.url}/globex/handbook/tree/main/payments",
        )  # fmt: skip
        catalog = sync_folder(sqlite_engine(tmp_path / "db.sqlite"), tmp_path / "repos")
        settings = docs_settings(tmp_path / "sites")
        report = build_all_docs(catalog, settings, repositories=cache)
        missing = build_all_docs(
            catalog, settings, [SVC], force=True, repositories=RepositoryCache(
                tmp_path / "other", RepositoriesSettings(hosts=[])
            ),
        )  # fmt: skip
    assert [o.status for o in report.outcomes] == ["built"], report
    assert "Cloned from the handbook repository." in site_text(tmp_path / "sites")
    assert missing.outcomes[0].status == "unavailable"
    assert "not listed" in (missing.outcomes[0].reason or "")


def test_dir_ref_of_an_entity_from_backstages_api_is_built_from_its_repository(
    tmp_path: Path,
) -> None:
    with FakeGitHub(tmp_path / "github") as github:
        github.seed_repository(
            "globex/svc",
            {
                "catalog-info.yaml": "# the entity itself comes from Backstage's API\n",
                "mkdocs.yml": "site_name: Svc\n",
                "docs/index.md": "# Svc\n\nRead from the clone of globex/svc.\n",
            },
            private=False,
        )
        host = RepositoryHostSettings(url=github.url, type="github")
        cache = RepositoryCache(tmp_path / "clones", RepositoriesSettings(hosts=[host]))
        engine = sqlite_engine(tmp_path / "db.sqlite")
        document = {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {
                "name": "svc",
                "annotations": {
                    "backstage.io/techdocs-ref": "dir:.",
                    "backstage.io/source-location": f"url:{github.url}/globex/svc/tree/main/",
                },
            },
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
        }
        parsed = parse_entity(document, from_api=True)
        origin = Origin("backstage", "https://backstage.example/catalog/default/component/svc")
        scanned = ScannedFile(
            "component:default/svc", "h", entities=[SourcedEntity(parsed, origin)]
        )
        with writer(engine).begin() as conn:
            apply_scan(conn, SourceScan.of("backstage", [scanned], {}))
        catalog = Catalog(engine)
        assert catalog.get(SVC).repo_dir is None  # type: ignore[union-attr]
        without = build_all_docs(catalog, docs_settings(tmp_path / "sites"))
        report = build_all_docs(catalog, docs_settings(tmp_path / "sites"), repositories=cache)
    assert without.outcomes[0].status == "unavailable"
    assert [o.status for o in report.outcomes] == ["built"], report
    assert "Read from the clone of globex/svc." in site_text(tmp_path / "sites")


GRAPH = "```graphviz dot flow.svg\ndigraph G { checkout -> payments; }\n```\n"
PLANTUML = "```plantuml\n@startuml\nAlice -> Bob: hi\n@enduml\n```\n"


@pytest.mark.parametrize(
    "config",
    [
        "site_name: S\nmarkdown_extensions: [markdown_inline_graphviz]\n",
        "site_name: S\nplugins: [techdocs-core]\n",  # which adds the extension itself
    ],
)
def test_graphviz_diagrams_render_as_svg_in_the_page(
    build: Build, tmp_path: Path, config: str
) -> None:
    require_graphviz()
    outcome = build({"mkdocs.yml": config, "docs/index.md": "# S\n\n" + GRAPH})
    assert outcome.status == "built", outcome.reason
    html = site_text(tmp_path / "sites")
    assert "<svg" in html and ">checkout</text>" in html and "digraph" not in html


def test_plantuml_diagram_fails_the_build_saying_to_use_graphviz(build: Build) -> None:
    outcome = build(
        {"mkdocs.yml": "site_name: S\nplugins: [techdocs-core]\n", "docs/index.md": PLANTUML}
    )
    assert outcome.status == "failed"
    assert outcome.reason is not None
    assert outcome.reason.startswith("the build tried running the program plantuml")
    assert "PlantUML diagrams are not rendered on this server" in outcome.reason
    assert "```graphviz dot name.svg" in outcome.reason
