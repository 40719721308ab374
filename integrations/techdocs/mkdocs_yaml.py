"""Reading a repository's ``mkdocs.yml`` as data, never as code.

mkdocs itself loads its config with PyYAML's full ``Loader``, so ``!!python/object/apply:...``
runs during ``load_config``. We parse first with a safe loader that knows mkdocs' own tags:

- ``!ENV VAR`` / ``!ENV [VAR, ..., default]`` becomes the default: builds run without the
  bot's environment, so a config can never pull a secret into a published page;
- ``!relative [$config_dir|$docs_dir][/sub]`` is kept, and written back for mkdocs to resolve
  inside the staging copy;
- ``!!python/name:X`` is kept only for a short list of well-known emoji and fence helpers
  (the same list Backstage accepts); every other ``python/`` tag and unknown tag is refused,
  with the line it is on.

Aliases are resolved into plain data under a node budget, so "billion laughs" costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import Node, ScalarNode, SequenceNode

from integrations.errors import DocsBuildFailed

__all__ = [
    "ALLOWED_PYTHON_NAMES",
    "MAX_CONFIG_BYTES",
    "PythonName",
    "RelativePath",
    "dump_mkdocs_yaml",
    "load_mkdocs_yaml",
]

MAX_CONFIG_BYTES = 256 * 1024
_MAX_NODES = 50_000

#: ``!!python/name:`` targets that only name a formatting function of an installed extension.
ALLOWED_PYTHON_NAMES = frozenset(
    {
        "pymdownx.emoji.emojione",
        "pymdownx.emoji.gemoji",
        "pymdownx.emoji.twemoji",
        "pymdownx.emoji.to_alt",
        "pymdownx.emoji.to_png",
        "pymdownx.emoji.to_png_sprite",
        "pymdownx.emoji.to_svg",
        "pymdownx.emoji.to_svg_sprite",
        "material.extensions.emoji.twemoji",
        "material.extensions.emoji.to_svg",
        "pymdownx.superfences.fence_code_format",
        "pymdownx.superfences.fence_div_format",
    }
)
_PYTHON_TAG = "tag:yaml.org,2002:python/"


@dataclass(frozen=True, slots=True)
class PythonName:
    """An allowlisted ``!!python/name:`` reference, written back as it was."""

    name: str


@dataclass(frozen=True, slots=True)
class RelativePath:
    """mkdocs' ``!relative`` tag, written back for mkdocs to resolve."""

    value: str


class _MkdocsSafeLoader(yaml.SafeLoader):
    pass


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _env(loader: _MkdocsSafeLoader, node: Node) -> Any:
    if isinstance(node, ScalarNode):
        return None
    if isinstance(node, SequenceNode):
        if len(node.value) > 1:
            return loader.construct_object(node.value[-1], deep=True)
        return None
    raise ConstructorError(None, None, "!ENV expects a name or a list", node.start_mark)


def _relative(loader: _MkdocsSafeLoader, node: Node) -> RelativePath:
    if not isinstance(node, ScalarNode):
        raise ConstructorError(None, None, "!relative expects a path", node.start_mark)
    value = str(loader.construct_scalar(node) or "")
    prefix = value.partition("/")[0]
    if prefix.startswith("$") and prefix not in {"$config_dir", "$docs_dir"}:
        raise ConstructorError(None, None, f"unknown !relative prefix {prefix}", node.start_mark)
    if ".." in value.split("/"):
        raise _refused(node, f"'!relative {value}' leaves the repository")
    return RelativePath(value)


def _python(loader: _MkdocsSafeLoader, suffix: str, node: Node) -> PythonName:
    tag = f"!!python/{suffix}"
    if suffix.startswith("name:") and suffix.removeprefix("name:") in ALLOWED_PYTHON_NAMES:
        return PythonName(suffix.removeprefix("name:"))
    raise _refused(
        node,
        f"the tag {tag} would run or import Python code, which is not allowed "
        "(only !!python/name: of the standard emoji and fence helpers is)",
    )


def _unknown(loader: _MkdocsSafeLoader, suffix: str, node: Node) -> Any:
    tag = node.tag or suffix
    hint = " (the monorepo plugin's !include is not supported)" if tag == "!include" else ""
    raise _refused(node, f"the tag {tag} is not supported{hint}")


def _refused(node: Node, message: str) -> DocsBuildFailed:
    return DocsBuildFailed(f"mkdocs.yml line {_line(node)}: {message}")


_MkdocsSafeLoader.add_constructor("!ENV", _env)
_MkdocsSafeLoader.add_constructor("!relative", _relative)
_MkdocsSafeLoader.add_multi_constructor(_PYTHON_TAG, _python)
_MkdocsSafeLoader.add_multi_constructor("!", _unknown)
_MkdocsSafeLoader.add_multi_constructor("tag:", _unknown)


def load_mkdocs_yaml(text: str | bytes) -> dict[str, Any]:
    """The config as plain data; DocsBuildFailed says which line is wrong and why."""
    if len(text) > MAX_CONFIG_BYTES:
        raise DocsBuildFailed(f"mkdocs.yml is larger than {MAX_CONFIG_BYTES // 1024} KiB")
    try:
        data = yaml.load(text, Loader=_MkdocsSafeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "invalid YAML"
        raise DocsBuildFailed(f"mkdocs.yml{where}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as error:
        raise DocsBuildFailed(f"mkdocs.yml is not valid YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DocsBuildFailed("mkdocs.yml must be a mapping of settings (key: value)")
    budget = [_MAX_NODES]
    return {str(k): _plain(v, budget) for k, v in data.items()}


def _plain(value: Any, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise DocsBuildFailed("mkdocs.yml expands to too many values (aliases?)")
    if isinstance(value, dict):
        return {str(k): _plain(v, budget) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, budget) for v in value]
    if value is None or isinstance(value, str | int | float | bool | PythonName | RelativePath):
        return value
    return str(value)


class _MkdocsDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_python(dumper: _MkdocsDumper, value: PythonName) -> yaml.Node:
    return dumper.represent_scalar(f"{_PYTHON_TAG}name:{value.name}", "")


def _represent_relative(dumper: _MkdocsDumper, value: RelativePath) -> yaml.Node:
    return dumper.represent_scalar("!relative", value.value)


_MkdocsDumper.add_representer(PythonName, _represent_python)
_MkdocsDumper.add_representer(RelativePath, _represent_relative)


def dump_mkdocs_yaml(config: dict[str, Any]) -> str:
    """The sanitized config as YAML mkdocs can read (no anchors, allowlisted tags only)."""
    return yaml.dump(config, Dumper=_MkdocsDumper, sort_keys=False, allow_unicode=True)
