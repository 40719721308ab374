"""Which templates exist: the configured folders first (each trusted or not), then the ones
greenroom ships. A folder holding ``cookiecutter.json`` is a template; otherwise each of its
sub-folders that holds one is. The first template with an id wins, so a company can replace
a shipped template by adding its own of the same name. A template folder that is a link
leading out of its configured folder is refused (its files are not the operator's to offer)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import scaffold_templates
from integrations.errors import ScaffoldFailed, TemplateInvalid
from integrations.scaffolder.config import TemplateDirSettings
from integrations.scaffolder.metadata import IDENTITY_KINDS, TemplateMetadata, load_metadata
from integrations.templating import CONTEXT_FILE, TemplateError, load_spec

__all__ = ["SHIPPED_TEMPLATES", "Template", "TemplateIndex", "discover_templates"]

SHIPPED_TEMPLATES = Path(scaffold_templates.__file__).resolve().parent
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclass(frozen=True, slots=True)
class Template:
    """A template folder and what its metadata says about it."""

    id: str
    path: Path
    trusted: bool
    metadata: TemplateMetadata
    origin: str

    @property
    def title(self) -> str:
        return self.metadata.title or self.id.replace("-", " ").replace("_", " ").capitalize()

    @property
    def description(self) -> str:
        return self.metadata.description

    @property
    def icon(self) -> str:
        return self.metadata.icon


@dataclass(frozen=True, slots=True)
class TemplateIndex:
    """Every usable template, and why the others are not usable (``broken`` by id)."""

    templates: tuple[Template, ...]
    problems: tuple[str, ...] = ()
    broken: Mapping[str, str] = field(default_factory=dict)

    def get(self, template_id: str) -> Template:
        """The template with this id; TemplateInvalid saying why a broken one cannot be
        used; ScaffoldFailed naming the known ones otherwise."""
        for template in self.templates:
            if template.id == template_id:
                return template
        if template_id in self.broken:
            reason = self.broken[template_id]
            raise TemplateInvalid(f"The template {template_id!r} cannot be used: {reason}")
        known = ", ".join(t.id for t in self.templates) or "none"
        raise ScaffoldFailed(f"No template named {template_id!r} (known: {known}).")

    def kinds(self) -> dict[str, frozenset[str]]:
        """The kinds each usable template's repositories may register, by template id."""
        return {t.id: t.metadata.registered_kinds for t in self.templates}


def discover_templates(
    dirs: Sequence[TemplateDirSettings], *, base_dir: Path, shipped: bool = True
) -> TemplateIndex:
    """Templates in ``dirs`` (relative paths start at ``base_dir``), then the shipped ones."""
    roots = [(base_dir / d.path, d.trusted, d.registers_identity, str(d.path)) for d in dirs]
    if shipped:
        roots.append((SHIPPED_TEMPLATES, True, False, "shipped"))
    found: dict[str, Template] = {}
    problems: list[str] = []
    broken: dict[str, str] = {}
    for root, trusted, identity, origin in roots:
        if not root.is_dir():
            problems.append(f"template folder {root} does not exist")
            continue
        folders = [root] if (root / CONTEXT_FILE).is_file() else sorted(root.iterdir())
        for folder in folders:
            if not (folder / CONTEXT_FILE).is_file():
                continue
            template_id = folder.name
            if not _ID.match(template_id):
                problems.append(f"{folder}: the folder name must be lowercase letters, digits, -")
                continue
            if template_id in found or template_id in broken:
                continue
            loaded = _load(folder, root, trusted=trusted, identity=identity)
            if isinstance(loaded, str):
                problems.append(loaded)
                broken[template_id] = loaded
                continue
            found[template_id] = Template(template_id, folder.resolve(), trusted, loaded, origin)
    return TemplateIndex(tuple(found.values()), tuple(problems), broken)


def _load(folder: Path, root: Path, *, trusted: bool, identity: bool) -> TemplateMetadata | str:
    """The template's metadata, or why its folder may not offer it."""
    if folder != root and not folder.resolve().is_relative_to(root.resolve()):
        return f"{folder} is a link leading outside {root}"
    try:
        metadata = load_metadata(folder)
        extensions = _extensions(folder)
    except TemplateError as error:
        return str(error)
    if extensions and not trusted:
        return (
            f"{folder} loads Jinja extensions ({', '.join(extensions)}), "
            "which only run for template folders marked trusted"
        )
    people = sorted(k for k in metadata.registers if k.lower() in IDENTITY_KINDS)
    if people and not identity:
        return (
            f"{folder} registers {' and '.join(people)} entities, which say who people are and "
            "which teams they are in; only template folders marked registers_identity may"
        )
    return metadata


def _extensions(folder: Path) -> tuple[str, ...]:
    """The Jinja extensions a template loads; TemplateError when its cookiecutter.json is
    broken. Read once per version of the file."""
    stat = (folder / CONTEXT_FILE).stat()
    return _read_extensions(folder, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _read_extensions(folder: Path, mtime_ns: int, size: int) -> tuple[str, ...]:
    return tuple(load_spec(folder).extensions)
