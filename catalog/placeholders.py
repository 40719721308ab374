"""``$text`` / ``$json`` / ``$yaml`` placeholders, resolved the way Backstage's
PlaceholderProcessor does for files next to the catalog file.

Local targets are read relative to the catalog file and may not leave the source's root.
Remote targets (``https://...``) are not fetched during sync (sync never waits on other hosts);
the URL is kept as the value and a warning says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalog.errors import InvalidEntity
from catalog.yaml_reader import YamlLimits, read_yaml_documents

__all__ = ["resolve_placeholders"]

_KINDS = ("$text", "$json", "$yaml")


def resolve_placeholders(
    value: Any, *, base_dir: Path | None, root: Path | None, limits: YamlLimits
) -> tuple[Any, list[str]]:
    """The value with placeholders replaced, and warnings about the ones kept as URLs."""
    warnings: list[str] = []

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, target),) = node.items()
                if key in _KINDS:
                    return _resolve(key, target, path)
            return {k: walk(v, f"{path}.{k}" if path else k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(node)]
        return node

    def _resolve(kind: str, target: Any, path: str) -> Any:
        if not isinstance(target, str) or not target:
            raise InvalidEntity(
                f'"{path}": placeholder {kind} needs a string target', field=path, found=target
            )
        if "://" in target:
            warnings.append(f"{path}: {kind} {target} was not fetched; the URL is kept instead")
            return target
        if base_dir is None or root is None:
            raise InvalidEntity(
                f'"{path}": placeholder {kind} {target!r} has no file to be relative to',
                field=path,
                found=target,
            )
        file = (base_dir / target).resolve()
        if not file.is_relative_to(root.resolve()):
            raise InvalidEntity(
                f'"{path}": placeholder {kind} {target!r} points outside the source',
                field=path,
                found=target,
            )
        try:
            data = file.read_bytes()
        except OSError as error:
            raise InvalidEntity(
                f'"{path}": placeholder {kind} could not read {target!r}: {error.strerror}',
                field=path,
                found=target,
            ) from None
        if len(data) > limits.max_bytes:
            raise InvalidEntity(f'"{path}": {target!r} is over the size limit', field=path)
        if kind == "$text":
            return data.decode("utf-8", errors="replace")
        if kind == "$json":
            try:
                return json.loads(data)
            except ValueError as error:
                raise InvalidEntity(
                    f'"{path}": {target!r} is not JSON: {error}', field=path
                ) from None
        docs, errors = read_yaml_documents(data, limits=limits)
        if errors:
            raise InvalidEntity(f'"{path}": {target!r}: {errors[0].message}', field=path)
        return docs[0].data if docs else None

    return walk(value, ""), warnings
