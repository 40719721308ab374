"""mkdocs.yml is parsed as data: Python tags are refused before mkdocs could run them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from integrations.errors import DocsBuildFailed
from integrations.techdocs.mkdocs_yaml import (
    PythonName,
    RelativePath,
    dump_mkdocs_yaml,
    load_mkdocs_yaml,
)


def test_object_apply_tag_is_refused_with_its_line_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'site_name: x\nextra:\n  boom: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(DocsBuildFailed, match=r"line 3: the tag !!python/object/apply:os.system"):
        load_mkdocs_yaml(text)
    assert not marker.exists()


@pytest.mark.parametrize(
    "tag", ["!!python/object:os.Popen", "!!python/module:os", "!!python/name:os.system"]
)
def test_other_python_tags_are_refused(tag: str) -> None:
    with pytest.raises(DocsBuildFailed, match="would run or import Python code"):
        load_mkdocs_yaml(f"site_name: x\nvalue: {tag} {{}}\n")


def test_well_known_emoji_and_fence_helpers_round_trip_for_mkdocs() -> None:
    text = """
markdown_extensions:
  - pymdownx.emoji:
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
"""
    config = load_mkdocs_yaml(text)
    options = config["markdown_extensions"][0]["pymdownx.emoji"]
    assert options["emoji_generator"] == PythonName("material.extensions.emoji.to_svg")
    dumped = dump_mkdocs_yaml(config)
    assert "!!python/name:material.extensions.emoji.to_svg" in dumped
    assert "!!python/name:pymdownx.superfences.fence_code_format" in dumped


def test_env_tag_takes_the_default_and_never_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret")
    config = load_mkdocs_yaml(
        "site_name: !ENV [SLACK_BOT_TOKEN, 'Team docs']\nsite_author: !ENV SLACK_BOT_TOKEN\n"
    )
    assert config == {"site_name": "Team docs", "site_author": None}


def test_relative_tag_is_kept_for_mkdocs_but_cannot_climb_out() -> None:
    config = load_mkdocs_yaml("x: !relative $config_dir/snippets\n")
    assert config["x"] == RelativePath("$config_dir/snippets")
    dumped = dump_mkdocs_yaml(config)
    assert "!relative" in dumped
    assert load_mkdocs_yaml(dumped) == config
    with pytest.raises(DocsBuildFailed, match="leaves the repository"):
        load_mkdocs_yaml("x: !relative $config_dir/../../etc\n")


def test_monorepo_include_tag_is_explained() -> None:
    with pytest.raises(DocsBuildFailed, match=r"line 2: the tag !include is not supported"):
        load_mkdocs_yaml("nav:\n  - Sub: !include ../other/mkdocs.yml\n")


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(DocsBuildFailed, match=r"mkdocs.yml line 3, column \d+: YAML syntax error"):
        load_mkdocs_yaml("site_name: x\nnav:\n  - a: b: c\n")


def test_config_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(DocsBuildFailed, match="must be a mapping"):
        load_mkdocs_yaml("- just\n- a list\n")


def test_alias_bomb_is_stopped_by_the_node_budget() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 8):
        prev = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    with pytest.raises(DocsBuildFailed, match="too many values"):
        load_mkdocs_yaml("\n".join(lines))


def test_dumped_config_has_no_aliases_and_loads_with_a_safe_loader() -> None:
    config = load_mkdocs_yaml("a: &x {k: 1}\nb: *x\n")
    dumped = dump_mkdocs_yaml(config)
    assert "&" not in dumped and "*" not in dumped
    assert yaml.safe_load(dumped) == {"a": {"k": 1}, "b": {"k": 1}}
