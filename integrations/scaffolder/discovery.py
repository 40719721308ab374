"""Which templates exist: the configured folders first (each trusted or not), then the ones
greenroom ships. A folder holding ``cookiecutter.json`` is a template; otherwise each of its
sub-folders that holds one is. The first template with an id wins, so a company can replace
a shipped template by adding its own of the same name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import scaffold_templates
from integrations.errors import ScaffoldFailed
from integrations.scaffolder.config import TemplateDirSettings
from integrations.scaffolder.metadata import TemplateMetadata, load_metadata
from integrations.templating import CONTEXT_FILE, TemplateError

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
    """Every usable template, and why the others are not usable."""

    templates: tuple[Template, ...]
    problems: tuple[str, ...] = ()

    def get(self, template_id: str) -> Template:
        """The template with this id; ScaffoldFailed naming the known ones otherwise."""
        for template in self.templates:
            if template.id == template_id:
                return template
        known = ", ".join(t.id for t in self.templates) or "none"
        raise ScaffoldFailed(f"No template named {template_id!r} (known: {known}).")


def discover_templates(
    dirs: Sequence[TemplateDirSettings], *, base_dir: Path, shipped: bool = True
) -> TemplateIndex:
    """Templates in ``dirs`` (relative paths start at ``base_dir``), then the shipped ones."""
    roots = [(base_dir / d.path, d.trusted, str(d.path)) for d in dirs]
    if shipped:
        roots.append((SHIPPED_TEMPLATES, True, "shipped"))
    found: dict[str, Template] = {}
    problems: list[str] = []
    for root, trusted, origin in roots:
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
            if template_id in found:
                continue
            try:
                metadata = load_metadata(folder)
            except TemplateError as error:
                problems.append(str(error))
                continue
            found[template_id] = Template(template_id, folder.resolve(), trusted, metadata, origin)
    return TemplateIndex(tuple(found.values()), tuple(problems))
