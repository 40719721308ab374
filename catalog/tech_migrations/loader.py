"""Loading migration definitions from a folder of YAML files (one or more documents each).

Files are read with the catalog's safe YAML reader and validated with pydantic. Every problem
names the file, the line, the migration and the field; a broken definition is left out and the
others still load. Two definitions with one id: the first file (in path order) keeps it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, SequenceNode

from catalog.errors import ConfigError
from catalog.tech_migrations.custom_checks import CustomCheck, CustomChecks
from catalog.tech_migrations.definition import MigrationDefinition
from catalog.tech_migrations.errors import DefinitionProblem, InvalidMigration, MigrationNotFound
from catalog.yaml_reader import YamlLimits, read_yaml_documents

__all__ = ["MigrationSet", "load_migrations"]

_SUFFIXES = (".yaml", ".yml")
_LIMITS = YamlLimits(max_bytes=512 * 1024, max_documents=200)


@dataclass(frozen=True, slots=True)
class MigrationSet:
    """The definitions that loaded, and the problems of those that did not."""

    migrations: tuple[MigrationDefinition, ...] = ()
    problems: tuple[DefinitionProblem, ...] = ()
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.migrations]

    def get(self, migration_id: str) -> MigrationDefinition:
        """The migration with this id (any case); MigrationNotFound lists the known ids."""
        wanted = migration_id.strip().lower()
        for migration in self.migrations:
            if migration.id == wanted:
                return migration
        raise MigrationNotFound(migration_id, self.ids)

    def require_valid(self) -> MigrationSet:
        """This set, or InvalidMigration listing every problem."""
        if self.problems:
            raise InvalidMigration(self.problems)
        return self


def load_migrations(folder: Path | None, *, custom: CustomChecks | None = None) -> MigrationSet:
    """Every definition under ``folder`` (``*.yaml``/``*.yml``, sorted by path)."""
    if folder is None:
        return MigrationSet()
    if not folder.is_dir():
        raise ConfigError(f"migrations.path {folder} is not a folder")
    custom = custom if custom is not None else CustomChecks.installed()
    loaded: list[MigrationDefinition] = []
    problems: list[DefinitionProblem] = []
    origins: dict[str, tuple[str, int]] = {}
    for file in sorted(p for p in folder.rglob("*") if p.suffix in _SUFFIXES and p.is_file()):
        for definition, line, found in _read_file(file, custom):
            problems.extend(found)
            if definition is None:
                continue
            if definition.id in origins:
                first, first_line = origins[definition.id]
                problems.append(
                    DefinitionProblem(
                        str(file),
                        f"duplicate id; already defined at {first}:{first_line}",
                        line=line,
                        migration=definition.id,
                        field="id",
                    )
                )
                continue
            origins[definition.id] = (str(file), line)
            loaded.append(definition)
    return MigrationSet(tuple(loaded), tuple(problems), origins)


def _read_file(
    file: Path, custom: CustomChecks
) -> Iterator[tuple[MigrationDefinition | None, int, list[DefinitionProblem]]]:
    name = str(file)
    try:
        data = file.read_bytes()
    except OSError as error:
        yield None, 0, [DefinitionProblem(name, f"cannot be read: {error.strerror}")]
        return
    documents, errors = read_yaml_documents(data, limits=_LIMITS)
    for unreadable in errors:
        problem = DefinitionProblem(name, unreadable.message, line=unreadable.line)
        yield None, unreadable.line or 0, [problem]
    nodes: dict[int, Node] | None = None
    for document in documents:
        migration = _migration_id(document.data)
        try:
            definition = MigrationDefinition.model_validate(document.data)
        except ValidationError as error:
            nodes = nodes if nodes is not None else _nodes(data)
            node = nodes.get(document.line)
            yield (
                None,
                document.line,
                [_problem(name, migration, item, document, node) for item in _errors(error)],
            )
            continue
        broken: list[DefinitionProblem] = []
        for index, check in enumerate(definition.checks):
            if not isinstance(check, CustomCheck):
                continue
            try:
                custom.get(check.name)
            except (LookupError, ValueError) as failure:
                nodes = nodes if nodes is not None else _nodes(data)
                item = {"loc": ("checks", index, "name"), "msg": str(failure), "type": "custom"}
                broken.append(_problem(name, migration, item, document, nodes.get(document.line)))
        yield (None if broken else definition), document.line, broken


def _migration_id(data: Any) -> str | None:
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _errors(error: ValidationError) -> list[dict[str, Any]]:
    return [dict(item) for item in error.errors(include_url=False)]


def _nodes(data: bytes) -> dict[int, Node]:
    """Document root nodes by first line, to locate fields (composing builds no objects)."""
    try:
        roots = list(yaml.compose_all(data.decode("utf-8-sig"), Loader=yaml.SafeLoader))
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    return {node.start_mark.line + 1: node for node in roots if node is not None}


def _problem(
    file: str, migration: str | None, item: dict[str, Any], document: Any, root: Node | None
) -> DefinitionProblem:
    path, line = _locate(item["loc"], document.data, root)
    return DefinitionProblem(
        file,
        _message(item, path),
        line=line or document.line,
        migration=migration,
        field=path or None,
    )


def _locate(loc: tuple[Any, ...], data: Any, node: Node | None) -> tuple[str, int | None]:
    """The field path as written (union tags skipped) and the line of the deepest node found."""
    path = ""
    line = node.start_mark.line + 1 if node is not None else None
    for position, step in enumerate(loc):
        if isinstance(data, list) and isinstance(step, int) and step < len(data):
            path += f"[{step}]"
            data = data[step]
            node = node.value[step] if isinstance(node, SequenceNode) else None
        elif isinstance(data, dict) and step in data:
            path += f".{step}" if path else str(step)
            data = data[step]
            node = _value_node(node, str(step))
        elif position == len(loc) - 1 or data is None:
            path += f"[{step}]" if isinstance(step, int) else (f".{step}" if path else str(step))
            data, node = None, None
        # anything else is a union's tag (the check type), not a field of the document
        if node is not None:
            line = node.start_mark.line + 1
    return path, line


def _value_node(node: Node | None, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) == key:
            found: Node = value_node
            return found
    return None


def _message(item: dict[str, Any], path: str) -> str:
    kind = item.get("type")
    message = str(item.get("msg", "is not valid"))
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "union_tag_not_found":
        return "needs a type (see docs/migrations.md for the check types)"
    if kind == "union_tag_invalid":
        expected = item.get("ctx", {}).get("expected_tags", "")
        return (
            f"unknown check type {item.get('input', {}).get('type')!r}; expected one of {expected}"
        )
    if kind == "string_pattern_mismatch" and path == "id":
        return "must be lowercase letters, digits and dashes (at most 63), like python-3-12"
    return message.removeprefix("Value error, ")
