"""Read catalog YAML the way Backstage does, safely and fast.

Backstage parses with the ``yaml`` package (YAML 1.2 core schema, no merge keys, unique keys,
a cap on alias expansion). We match that on PyYAML: a 1.2 core resolver (``yes`` and
``2024-01-01`` stay strings), duplicate keys are errors, ``<<`` is an ordinary key, and only
JSON-like values come out. The C parser is used unless the text has anchors, where the pure
Python one lets us measure how far aliases expand (billion laughs) before building anything.
A syntax error in one document does not lose the others.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

__all__ = ["DocumentError", "RawDocument", "YamlLimits", "read_yaml_documents"]


@dataclass(frozen=True, slots=True)
class YamlLimits:
    """How much YAML one file may hold."""

    max_bytes: int = 2 * 1024 * 1024
    max_documents: int = 10_000
    max_alias_expansion: int = 10_000


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One parsed document and where it starts (1-based line)."""

    data: Any
    line: int


@dataclass(frozen=True, slots=True)
class DocumentError:
    """A document (or whole file) that could not be read, and why."""

    message: str
    line: int | None


class _CoreResolver(BaseResolver):
    """YAML 1.2 core schema: only true/false, null, ints and floats are implicit."""

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        # BaseResolver.resolve without what this schema never has (path and wildcard
        # resolvers): the parser asks for every node, so this is a tenth of a parse.
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return str(tag)
            return self.DEFAULT_SCALAR_TAG
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG


_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    [*"-+0123456789"],
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    [*"-+0123456789."],
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _JsonConstructor(SafeConstructor):
    """Builds only JSON values; rejects duplicate keys; no merge keys."""

    def flatten_mapping(self, node: MappingNode) -> None:
        return None

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, "expected a mapping", node.start_mark)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, dict | list):
                raise ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    "keys must be scalars",
                    key_node.start_mark,
                )
            text = key if isinstance(key, str) else _json_scalar(key)
            if text in mapping:
                raise ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"map keys must be unique; {text!r} appears twice",
                    key_node.start_mark,
                )
            mapping[text] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_int(self, node: ScalarNode) -> int:
        value = str(self.construct_scalar(node))
        if value.startswith(("0o", "0x")):
            return int(value[2:], 8 if value[1] == "o" else 16)
        return int(value)

    def construct_scalar_text(self, node: ScalarNode) -> str:
        return str(self.construct_scalar(node))

    def reject(self, node: Node) -> None:
        raise ConstructorError(
            None, None, f"the tag {node.tag} is not allowed here", node.start_mark
        )


_add_constructor: Any = _JsonConstructor.add_constructor
_add_constructor("tag:yaml.org,2002:int", _JsonConstructor.construct_yaml_int)
_add_constructor("tag:yaml.org,2002:timestamp", _JsonConstructor.construct_scalar_text)
for _tag in ("binary", "set", "omap", "pairs"):
    _add_constructor(f"tag:yaml.org,2002:{_tag}", _JsonConstructor.reject)


def _json_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _CheckedLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _JsonConstructor,
    _CoreResolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _JsonConstructor.__init__(self)
        _CoreResolver.__init__(self)


_FastLoader: Any = _CheckedLoader
if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _CFastLoader(CParser, _JsonConstructor, _CoreResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _JsonConstructor.__init__(self)
            _CoreResolver.__init__(self)

    _FastLoader = _CFastLoader

_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{t}" for t in ("str", "map", "seq"))
_SCALARS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp")
)


class _Unusual(Exception):
    """A node the direct build leaves to the constructor (and its exact errors)."""


def _build(node: Node, scalars: dict[str, Any], loader: Any) -> Any:
    """The value ``construct_document`` gives for a document without anchors, built
    straight from the nodes (the constructor's generic dispatch is most of a parse). Anything
    unusual (another tag, a duplicate or non-scalar key, depth) raises, and the caller lets
    the constructor build the document instead, so errors and their order stay its own."""
    kind = node.__class__
    tag = node.tag
    if kind is ScalarNode:
        if tag == _STR:
            return node.value
        if tag in _SCALARS:
            return scalars[tag](loader, node)
    elif kind is MappingNode:
        if tag == _MAP:
            mapping: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not ScalarNode:
                    raise _Unusual
                key = _build(key_node, scalars, loader)
                text = key if isinstance(key, str) else _json_scalar(key)
                if text in mapping:
                    raise _Unusual
                mapping[text] = _build(value_node, scalars, loader)
            return mapping
    elif kind is SequenceNode and tag == _SEQ:
        return [_build(child, scalars, loader) for child in node.value]
    raise _Unusual


_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:-])&[^\s\[\]{},]")
_DOC_START = re.compile(r"^---(?=\s|$)", re.MULTILINE)


class _AliasBomb(Exception):
    pass


def _check_expansion(root: Node, limit: int) -> None:
    """Refuse documents whose aliases expand far beyond their written size, or loop."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise _AliasBomb("an alias refers to a node that contains it (a recursive structure)")
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = total
        if total > limit:
            raise _AliasBomb(
                f"aliases expand this document beyond {limit} nodes (an alias bomb?); refusing it"
            )
        return total

    size(root)


def _documents(
    text: str, first_line: int, checked: bool, limits: YamlLimits
) -> Iterator[RawDocument]:
    loader: Any = (_CheckedLoader if checked else _FastLoader)(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if checked:
                _check_expansion(node, limits.max_alias_expansion)
                data = loader.construct_document(node)
            else:
                try:
                    data = _build(node, loader.yaml_constructors, loader)
                except (_Unusual, RecursionError, ValueError, KeyError, TypeError):
                    data = loader.construct_document(node)
            yield RawDocument(data, first_line + node.start_mark.line)
    finally:
        loader.dispose()


def _describe(error: Exception, first_line: int) -> DocumentError:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = first_line + mark.line if mark is not None else None
    if isinstance(error, ConstructorError):
        return DocumentError(f"YAML error: {error.problem}", line)
    if isinstance(error, yaml.MarkedYAMLError):
        problem = error.problem or error.context or "invalid YAML"
        context = f" ({error.context})" if error.context and error.problem else ""
        return DocumentError(f"YAML syntax error: {problem}{context}", line)
    return DocumentError(f"YAML error: {error}", line)


def _chunks(text: str) -> Iterator[tuple[str, int]]:
    """Split a stream at ``---`` lines, so one broken document cannot hide the rest."""
    starts = [m.start() for m in _DOC_START.finditer(text)]
    bounds = [0, *(s for s in starts if s > 0), len(text)]
    for begin, end in itertools.pairwise(bounds):
        yield text[begin:end], text.count("\n", 0, begin) + 1


def read_yaml_documents(
    data: bytes, *, limits: YamlLimits = YamlLimits()
) -> tuple[list[RawDocument], list[DocumentError]]:
    """Every document of a YAML file, and an error for each one that could not be read.

    Empty and null documents are skipped, as Backstage does.
    """
    if len(data) > limits.max_bytes:
        return [], [
            DocumentError(
                f"file is {len(data):,} bytes, over the limit of {limits.max_bytes:,} bytes", None
            )
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [DocumentError(f"not UTF-8 text (byte {error.start} is invalid)", None)]
    if "\x00" in text:
        return [], [DocumentError("not a text file (contains NUL bytes)", None)]
    checked = bool(_ANCHOR.search(text)) if "&" in text else False
    try:
        docs = list(_documents(text, 1, checked, limits))
        errors: list[DocumentError] = []
    except (yaml.YAMLError, _AliasBomb, ValueError, RecursionError):
        docs, errors = [], []
        for chunk, first_line in _chunks(text):
            try:
                docs.extend(_documents(chunk, first_line, checked, limits))
            except _AliasBomb as error:
                errors.append(DocumentError(str(error), first_line))
            except (yaml.YAMLError, ValueError, RecursionError) as error:
                errors.append(_describe(error, first_line))
    docs = [d for d in docs if d.data is not None]
    if len(docs) > limits.max_documents:
        errors.append(
            DocumentError(
                f"{len(docs):,} documents in one file; the limit is {limits.max_documents:,}", None
            )
        )
        docs = docs[: limits.max_documents]
    return docs, errors
