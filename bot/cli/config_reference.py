"""``docs/configuration.md``, written from the settings models themselves: every key of
greenroom.yaml with its type, default, environment variable and description, and every
environment variable greenroom reads. A setting added to any model appears here by itself;
``tests/bot/test_config_reference.py`` fails when the committed page is out of date.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

__all__ = ["EnvVariable", "reference_markdown", "setting_variables"]

_ENV_PREFIX = "GREENROOM_"
_BARE = re.compile(r"^[A-Za-z0-9_./:{}-]+$")


@dataclass(frozen=True)
class EnvVariable:
    """An environment variable read outside the ``GREENROOM_<KEY>`` scheme."""

    name: str
    sets: str
    description: str


@dataclass
class _Section:
    title: str
    doc: str
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    example: str = ""


def reference_markdown(model: type[BaseModel], *, variables: Iterable[EnvVariable]) -> str:
    """The whole page for the settings ``model`` and the ``variables`` read outside it."""
    sections = _unique(_sections(model, path=(), title="Top-level keys", doc=_TOP_DOC))
    lines = [_HEADER.rstrip(), "", "## Environment variables", "", _ENV_DOC.rstrip(), ""]
    lines += ["| variable | sets | description |", "|---|---|---|"]
    for variable in sorted(variables, key=lambda v: v.name):
        lines.append(f"| `{variable.name}` | {variable.sets} | {_cell(variable.description)} |")
    for section in sections:
        level = "##" if "." not in section.title else "###"
        lines += ["", f"{level} {_cell(section.title)}"]
        if section.doc:
            lines += ["", _cell(section.doc)]
        if section.rows:
            lines += ["", "| key | type | default | environment variable | description |"]
            lines.append("|---|---|---|---|---|")
            lines += [f"| {' | '.join(row)} |" for row in section.rows]
        if section.example:
            lines += ["", "```yaml", section.example.rstrip(), "```"]
    return "\n".join(lines) + "\n"


def setting_variables(model: type[BaseModel]) -> dict[str, str]:
    """Every ``GREENROOM_<KEY>`` variable that sets a key of ``model``, and the key."""
    variables: dict[str, str] = {}
    for section in _sections(model, path=(), title="", doc=""):
        for key, _type, _default, env, _doc in section.rows:
            if env:
                variables[env.strip("`")] = key.strip("`")
    return variables


def _env_name(key: tuple[str, ...]) -> str:
    return _ENV_PREFIX + "__".join(part.upper() for part in key)


def _unique(sections: Iterable[_Section]) -> list[_Section]:
    """Each section once (kinds that share a nested setting list it once)."""
    seen: dict[str, _Section] = {}
    for section in sections:
        seen.setdefault(section.title, section)
    return list(seen.values())


def _sections(
    model: type[BaseModel], *, path: tuple[str, ...], title: str, doc: str, in_list: bool = False
) -> Iterator[_Section]:
    section = _Section(title, doc)
    later: list[_Section] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if _is_secret(annotation) or info.exclude:
            continue  # secrets come from the environment only (listed above)
        key = (*path, name)
        dotted = ".".join(key)
        models = _models_in(annotation)
        if len(models) == 1 and _origin(annotation) not in _CONTAINERS:
            # a nested section (or an optional one): its keys get their own table
            later.extend(
                _sections(
                    models[0],
                    path=key,
                    title=dotted,
                    doc=_describe(info, models[0]),
                    in_list=in_list,
                )
            )
            continue
        env = "" if in_list else f"`{_env_name(key)}`"
        section.rows.append(
            (
                f"`{dotted}`",
                _cell(_type_name(annotation, info)),
                _cell(_default(info)),
                env,
                _cell(_describe(info)),
            )
        )
        if models:
            later.extend(_item_sections(annotation, models, key=key))
    yield section
    yield from later


def _item_sections(
    annotation: Any, models: list[type[BaseModel]], *, key: tuple[str, ...]
) -> Iterator[_Section]:
    """The items of a list of settings (``catalog.sources[]``) or the values of a map
    (``worker.schedules.<id>``): one section per kind of item, with an example."""
    in_map = _origin(annotation) is dict
    in_list = _origin(annotation) in _CONTAINERS and not in_map
    path = (*key, "<id>") if in_map else (*key[:-1], key[-1] + "[]") if in_list else key
    for model in models:
        kind = _discriminator(model) if len(models) > 1 else None
        title = ".".join(path) + (f" (`type: {kind}`)" if kind else "")
        sections = _sections(model, path=path, title=title, doc=_doc(model), in_list=True)
        yield from _with_example(sections, model, in_map=in_map)


def _with_example(
    sections: Iterator[_Section], model: type[BaseModel], *, in_map: bool
) -> Iterator[_Section]:
    first = next(sections)
    first.example = _example(model, in_map=in_map)
    yield first
    yield from sections


def _example(model: type[BaseModel], *, in_map: bool) -> str:
    """The item's required keys (and its kind), in YAML."""
    lines: list[str] = []
    for name, info in model.model_fields.items():
        if not info.is_required() and name != "type":
            continue
        literal = get_args(info.annotation) if _origin(info.annotation) is Literal else ()
        if literal:
            value = str(literal[0])
        elif info.examples:
            first = info.examples[0]
            value = first if isinstance(first, str) else json.dumps(first)
        else:
            value = f"<{name}>"
        lines.append(f"{name}: {value}")
    if not lines:
        return ""
    if in_map:
        return "<id>:\n" + "".join(f"  {line}\n" for line in lines)
    return "- " + "\n  ".join(lines) + "\n"


# -- describing one field ------------------------------------------------------------------
def _describe(info: FieldInfo, model: type[BaseModel] | None = None) -> str:
    text = info.description or (_doc(model) if model is not None else "")
    if not text and _origin(info.annotation) is Literal and len(get_args(info.annotation)) == 1:
        text = "the kind of this item"
    if info.examples:
        shown = ", ".join(f"`{_plain(e)}`" for e in info.examples[:2])
        text = f"{text} (e.g. {shown})" if text else f"e.g. {shown}"
    return text


def _doc(model: type[BaseModel] | None) -> str:
    text = (model.__doc__ or "").strip() if model is not None else ""
    return " ".join(text.split("\n\n")[0].split()).replace("``", "`")


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        try:
            value = info.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return "computed"
        if isinstance(value, Path):
            return "computed"
        return f"`{_plain(value)}`"
    return f"`{_plain(info.default)}`"


def _plain(value: Any) -> str:
    """A value as written in greenroom.yaml: plain words bare, anything else as JSON."""
    value = _jsonable(value)
    if isinstance(value, str) and _BARE.match(value):
        return value
    return json.dumps(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _type_name(annotation: Any, info: FieldInfo | None = None) -> str:
    name = _name_of(annotation)
    limits = _limits(info.metadata if info is not None else [])
    return f"{name} ({limits})" if limits else name


def _name_of(annotation: Any) -> str:
    origin = _origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        base = _name_of(args[0])
        limits = _limits(args[1:])
        return f"{base} ({limits})" if limits else base
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (Union, types.UnionType):
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(models) > 1:
            return "one of the kinds below"
        names = [_name_of(a) for a in args if a is not type(None)]
        optional = " or null" if type(None) in args else ""
        return " or ".join(names) + optional
    if origin in (list, tuple, set, frozenset, Sequence):
        return f"list of {_name_of(args[0])}" if args else "list"
    if origin is dict:
        return f"map of {_name_of(args[0])} to {_name_of(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping (below)"
    return _SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _limits(metadata: Iterable[Any]) -> str:
    """Numeric bounds: ``1-64``, ``≥ 1``, ``above 0, ≤ 600``."""
    bounds: dict[str, Any] = {}
    for item in metadata:
        for name in ("ge", "gt", "le", "lt"):
            if isinstance(item, getattr(annotated_types, name.capitalize())):
                bounds[name] = getattr(item, name)
    if "ge" in bounds and "le" in bounds:
        return f"{bounds['ge']}-{bounds['le']}"
    words = {"ge": "≥", "gt": "above", "le": "≤", "lt": "below"}
    return ", ".join(f"{words[name]} {value}" for name, value in bounds.items())


_CONTAINERS = (list, tuple, set, frozenset, dict, Sequence)
_SCALARS: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    Path: "path",
    Any: "any",
}


# -- looking into annotations --------------------------------------------------------------
def _origin(annotation: Any) -> Any:
    return get_origin(annotation)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in get_args(annotation):
        for model in _models_in(arg):
            if model not in found:
                found.append(model)
    return found


def _is_secret(annotation: Any) -> bool:
    return annotation is SecretStr or any(_is_secret(a) for a in get_args(annotation))


def _discriminator(model: type[BaseModel]) -> str | None:
    kind = model.model_fields.get("type")
    if kind is None or _origin(kind.annotation) is not Literal:
        return None
    values = get_args(kind.annotation)
    return str(values[0]) if len(values) == 1 else None


def _cell(text: str) -> str:
    """Text for a table cell or heading: ``<id>`` shown, not taken for an HTML tag."""
    parts = text.replace("|", "\\|").replace("\n", " ").split("`")
    for i in range(0, len(parts), 2):  # outside code spans
        parts[i] = parts[i].replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


_HEADER = """\
# Configuration reference

<!-- Generated from the settings models by `greenroom config reference`: edit the models'
descriptions, then regenerate (`greenroom config reference > docs/configuration.md`). -->

greenroom reads its settings once, at start, from `greenroom.yaml` and the environment
(`runtime/settings.py`). Where one setting is given twice, the first of these wins:

1. an environment variable `GREENROOM_<KEY>` (nested keys joined by `__`, such as
   `GREENROOM_WORKER__TIMEZONE=Europe/Berlin`; lists and maps as JSON);
2. a conventional variable such as `DATABASE_URL` (below);
3. `greenroom.yaml`: the file `--config` or `GREENROOM_CONFIG` names, else `./greenroom.yaml`
   when there is one;
4. the default.

Secrets (tokens, signing secrets) are read from the environment only: greenroom.yaml names
the variable that holds one (`token_env`) and refuses the secret itself. Relative paths start
at the folder of greenroom.yaml. `greenroom config check` validates a configuration and
`greenroom config show` prints what greenroom sees, secrets masked.
"""

_ENV_DOC = """\
Besides `GREENROOM_<KEY>` for every key below, greenroom reads these (and the variable each
`token_env` names):
"""

_TOP_DOC = "Keys at the top of greenroom.yaml; each section below is one of them."
