"""The allowlists: what survives sanitizing, what is refused, and why."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.errors import DocsBuildFailed
from integrations.techdocs.mkdocs_config import SanitizedConfig, inside_path, sanitize_mkdocs_config
from integrations.techdocs.mkdocs_options import EXTENSION_SCHEMAS
from integrations.techdocs.mkdocs_yaml import load_mkdocs_yaml


def sanitize(text: str, **options: Any) -> SanitizedConfig:
    return sanitize_mkdocs_config(
        load_mkdocs_yaml(text),
        default_site_name=options.pop("default_site_name", "Fallback"),
        site_url=options.pop("site_url", None),
        strict=options.pop("strict", True),
        **options,
    )


def test_hooks_are_refused_with_an_actionable_reason() -> None:
    with pytest.raises(DocsBuildFailed, match=r"hooks are not allowed.*Remove the `hooks:` key"):
        sanitize("site_name: x\nhooks:\n  - hooks/evil.py\n")


def test_inherit_is_refused() -> None:
    with pytest.raises(DocsBuildFailed, match="INHERIT is not supported"):
        sanitize("INHERIT: ../../base.yml\n")


def test_unknown_settings_are_dropped_with_a_warning_and_ours_are_forced() -> None:
    result = sanitize(
        "site_name: x\nsite_dir: /var/www\nextra_javascript: [evil.js]\nstrict: false\n",
        site_url="https://bot.example.com/docs/default/component/x/",
    )
    assert "extra_javascript" not in result.config
    assert result.config["strict"] is True
    assert result.config["site_url"] == "https://bot.example.com/docs/default/component/x/"
    assert "site_dir" not in result.config
    assert any("extra_javascript" in w for w in result.warnings)


def test_missing_site_name_falls_back_to_the_entity_title() -> None:
    result = sanitize("nav: [index.md]\n", default_site_name="Payments API")
    assert result.config["site_name"] == "Payments API"
    assert result.nav_files == ("index.md",)


@pytest.mark.parametrize("docs_dir", ["/etc", "../../", "docs/../..", "."])
def test_docs_dir_must_stay_inside_the_repository(docs_dir: str) -> None:
    with pytest.raises(DocsBuildFailed, match="docs_dir"):
        sanitize(f"site_name: x\ndocs_dir: '{docs_dir}'\n")


@pytest.mark.parametrize("entry", ["/etc/passwd", "../../etc/passwd", "a/../../secret.md"])
def test_nav_entries_outside_the_docs_folder_are_refused(entry: str) -> None:
    with pytest.raises(DocsBuildFailed, match="points outside the docs folder"):
        sanitize(f"site_name: x\nnav:\n  - Home: index.md\n  - Secret: '{entry}'\n")


def test_nav_urls_and_nested_sections_are_fine() -> None:
    result = sanitize(
        "site_name: x\nnav:\n  - index.md\n  - Guides:\n      - Setup: guides/setup.md\n"
        "  - Status: https://status.example.com\n"
    )
    assert result.nav_files == ("index.md", "guides/setup.md")


def test_plugins_outside_the_allowlist_are_refused_by_name() -> None:
    with pytest.raises(DocsBuildFailed, match="plugin 'mkdocstrings' is not allowed"):
        sanitize("site_name: x\nplugins:\n  - search\n  - mkdocstrings\n")


def test_an_admin_can_allow_an_extra_plugin() -> None:
    result = sanitize(
        "site_name: x\nplugins: [search, awesome-pages]\n", extra_plugins=["awesome-pages"]
    )
    assert result.config["plugins"] == ["search", "awesome-pages"]


@pytest.mark.parametrize(
    "maps", ["{'../../../../tmp/evil.md': index.md}", "{old.md: ../../../etc/passwd}"]
)
def test_redirects_cannot_write_or_point_outside_the_site(maps: str) -> None:
    with pytest.raises(DocsBuildFailed, match=r"plugin redirects\.redirect_maps .* points outside"):
        sanitize(f"site_name: x\nplugins:\n  - redirects:\n      redirect_maps: {maps}\n")


def test_redirects_inside_the_site_are_fine() -> None:
    result = sanitize(
        "site_name: x\nplugins:\n  - redirects:\n      redirect_maps:\n"
        "        old.md: guides/new.md\n        moved.md: 'guides/new.md#setup'\n"
    )
    maps = result.config["plugins"][0]["redirects"]["redirect_maps"]
    assert maps == {"old.md": "guides/new.md", "moved.md": "guides/new.md#setup"}


def test_search_is_added_so_every_site_has_a_search_index() -> None:
    result = sanitize("site_name: x\nplugins:\n  - redirects:\n      redirect_maps: {a.md: b.md}\n")
    assert result.config["plugins"][-1] == "search"


def test_techdocs_core_brings_its_own_search() -> None:
    result = sanitize("site_name: x\nplugins: [techdocs-core]\n")
    assert result.config["plugins"] == ["techdocs-core"]


def test_markdown_extension_given_as_module_callable_is_refused() -> None:
    with pytest.raises(DocsBuildFailed, match="names a Python callable"):
        sanitize("site_name: x\nmarkdown_extensions:\n  - 'os:system'\n")


def test_unknown_markdown_extension_is_refused() -> None:
    with pytest.raises(DocsBuildFailed, match="markdown extension 'evil_ext' is not allowed"):
        sanitize("site_name: x\nmarkdown_extensions: [toc, evil_ext]\n")


def test_extension_options_that_pass_their_schema_are_kept() -> None:
    result = sanitize(
        "site_name: x\nmarkdown_extensions:\n  - toc: {permalink: true}\n"
        "  - plantuml_markdown: {format: svg, plantuml_cmd: plantuml}\n"
        "  - pymdownx.snippets: {base_path: [docs], url_download: false}\n"
    )
    toc, plantuml, snippets = result.config["markdown_extensions"]
    assert toc == {"toc": {"permalink": True}}
    assert plantuml == {"plantuml_markdown": {"format": "svg", "plantuml_cmd": "plantuml"}}
    options = {"base_path": ["docs"], "url_download": False, "restrict_base_path": True}
    assert snippets == {"pymdownx.snippets": options}
    assert result.warnings == ()


def test_snippet_base_path_outside_the_repository_is_refused() -> None:
    with pytest.raises(DocsBuildFailed, match=r"snippets\.base_path '/etc' points outside"):
        sanitize("site_name: x\nmarkdown_extensions:\n  - pymdownx.snippets: {base_path: [/etc]}\n")


def test_theme_templates_are_removed_and_unknown_themes_refused() -> None:
    result = sanitize("site_name: x\ntheme: {name: material, custom_dir: overrides}\n")
    assert result.config["theme"] == {"name": "material", "font": False}
    assert any("custom_dir" in w for w in result.warnings)
    with pytest.raises(DocsBuildFailed, match="theme 'cinder' is not available"):
        sanitize("site_name: x\ntheme: cinder\n")


def test_inside_path_normalises_and_refuses_escapes() -> None:
    assert inside_path("docs/./a/../b.md") == "docs/b.md"
    assert inside_path("..") is None
    assert inside_path("C:/windows") is None
    assert inside_path("a\\..\\b") is None


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        (
            "markdown_extensions:\n  - toc: {permalinks: true}\n",
            "mkdocs.yml: markdown extension toc: unknown option 'permalinks' (allowed: anchorlink,",
        ),
        (
            "markdown_extensions:\n  - pymdownx.snippets: {restrict_base_path: false}\n",
            "pymdownx.snippets.restrict_base_path is not allowed: snippets must stay inside",
        ),
        (
            "plugins:\n  - material/search: {jieba_dict: /etc/passwd}\n",
            "plugin material/search.jieba_dict '/etc/passwd' points outside the repository",
        ),
        (
            "markdown_extensions:\n  - toc: {slugify: my.module.slug}\n",
            "toc.slugify must be one of the allowed !!python/name: helpers",
        ),
        (
            "markdown_extensions:\n  - pymdownx.keys: {separator: 'https://evil.example/'}\n",
            "pymdownx.keys.separator cannot be a URL",
        ),
        (
            "plugins:\n  - awesome-pages: {collapse: 'http://evil.example/x'}\n",
            "plugin awesome-pages.collapse cannot be a URL",
        ),
    ],
    ids=["unknown", "snippets-anywhere", "path", "callable", "url-in-text", "operator-plugin"],
)
def test_options_outside_their_schema_are_refused_naming_the_option(
    config: str, reason: str
) -> None:
    with pytest.raises(DocsBuildFailed) as refused:
        sanitize("site_name: x\n" + config, extra_plugins=["awesome-pages"])
    assert reason in refused.value.user_message


def test_every_schema_option_is_one_the_extension_really_has() -> None:
    import markdown

    md = markdown.Markdown()
    for name, schema in EXTENSION_SCHEMAS.items():
        if name.endswith("extra"):
            continue  # its options are the sub-extensions' names
        known = md.build_extension(name, {}).getConfigs()
        assert set(schema) <= set(known), (name, set(schema) - set(known))
