"""``greenroom-template.yaml``: what a template is called, which of its variables are the
standard fields (name, description, owner, system), and who may use it. Optional: a plain
cookiecutter folder works, with the variables guessed from common names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from catalog.validation import is_valid_kind
from integrations.templating import TemplateError, read_template_file

__all__ = [
    "DEFAULT_KINDS",
    "IDENTITY_KINDS",
    "METADATA_FILE",
    "StandardVariables",
    "TemplateAccess",
    "TemplateMetadata",
    "load_metadata",
]

METADATA_FILE = "greenroom-template.yaml"
_MAX_BYTES = 64 * 1024
#: What a template registers unless it says otherwise.
DEFAULT_KINDS = ("Component",)
#: Kinds that say who people are and which teams they are in: only templates in folders the
#: operator marks ``registers_identity`` may declare them.
IDENTITY_KINDS = frozenset({"user", "group"})

_GUESSES = {
    "name": ("project_slug", "repo_name", "repository_name", "service_name", "app_name", "name"),
    "description": ("description", "project_description", "project_short_description"),
    "owner": ("owner", "team", "owner_team"),
    "system": ("system",),
}


class StandardVariables(BaseModel):
    """The cookiecutter variables the standard fields fill (None: the template has none)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    description: str | None = None
    owner: str | None = None
    system: str | None = None

    @classmethod
    def guess(cls, variables: list[str]) -> StandardVariables:
        """The first commonly used variable name found for each standard field."""
        found = {
            field: next((v for v in names if v in variables), None)
            for field, names in _GUESSES.items()
        }
        return cls(**found)


class TemplateAccess(BaseModel):
    """Who may use a template, on top of the global rule ([] and [] = everyone allowed there)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    users: list[str] = Field(default=[], description="emails or user refs")
    groups: list[str] = Field(default=[], description="group refs; members of sub-groups too")


class TemplateMetadata(BaseModel):
    """The contents of ``greenroom-template.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = Field(default=None, max_length=75)
    description: str = Field(default="", max_length=500)
    icon: str = Field(default="\N{JIGSAW PUZZLE PIECE}", max_length=32)
    tags: list[str] = []
    variables: StandardVariables | None = None
    required: list[str] = Field(default=[], description="template variables that must be filled")
    allowed: TemplateAccess = TemplateAccess()
    component_type: str = Field(default="service", description="for a missing catalog-info.yaml")
    registers: list[str] = Field(
        default=list(DEFAULT_KINDS),
        min_length=1,
        max_length=20,
        description="the entity kinds the new repository's catalog-info.yaml may declare",
    )
    provider: str | None = Field(
        default=None, description="a repositories.providers entry, or 'git' for the git remote"
    )
    visibility: Literal["private", "internal", "public"] | None = None
    next_steps: list[str] = Field(
        default=[], description="shown after success; {name}, {clone_url}, {web_url} are filled"
    )

    @field_validator("registers")
    @classmethod
    def _registrable(cls, kinds: list[str]) -> list[str]:
        for kind in kinds:
            if not is_valid_kind(kind):
                raise ValueError(f"{kind!r} is not a kind (a letter, then letters and digits)")
            if kind.lower() == "location":
                raise ValueError(
                    "a new repository may not register a Location: its catalog file is read "
                    "on its own, and a Location would bring other files into the catalog"
                )
        return kinds

    @property
    def registered_kinds(self) -> frozenset[str]:
        """The kinds the new repository may register, lowercased (kinds ignore case)."""
        return frozenset(kind.lower() for kind in self.registers)


def load_metadata(template_dir: Path) -> TemplateMetadata:
    """The template's metadata (defaults when the file is absent); TemplateError if broken."""
    path = template_dir / METADATA_FILE
    try:
        stat = path.lstat()
    except FileNotFoundError:
        return TemplateMetadata()
    except OSError as error:
        raise TemplateError(f"{path} cannot be read: {error}") from None
    if stat.st_size > _MAX_BYTES:
        raise TemplateError(f"{path} is larger than {_MAX_BYTES // 1024} KiB")
    return _parse(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _parse(path: Path, mtime_ns: int, size: int) -> TemplateMetadata:
    """Parsed once per version of the file (the picker lists templates on every open)."""
    try:
        data = yaml.safe_load(read_template_file(path, max_bytes=_MAX_BYTES).decode()) or {}
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"{path} cannot be read: {error}") from None
    except yaml.YAMLError as error:
        raise TemplateError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path} must hold a mapping")
    try:
        return TemplateMetadata.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in error.errors(include_url=False)[:5]
        )
        raise TemplateError(f"{path}: {problems}") from None
