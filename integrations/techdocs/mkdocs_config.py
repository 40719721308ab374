"""Turning an untrusted ``mkdocs.yml`` into a config that is safe to build.

Modelled on Backstage's ``sanitizeMkdocsYml``, and stricter: only known keys survive (others
are dropped with a warning), ``hooks:`` and ``INHERIT`` are refused, plugins and Markdown
extensions must be on an allowlist (never ``module:callable``) and every option they are given
must pass its schema (``mkdocs_options``: no URLs to fetch, no programs, no paths outside the
repository), themes cannot bring their own templates, every path (``docs_dir``, ``nav``,
``extra_css``) must stay inside the repository, and ``site_dir``/``site_url``/``strict`` are
ours. What comes out is plain data for ``mkdocs_yaml.dump_mkdocs_yaml``. The build itself runs
without network and reading only the repository (``_build_sandbox``), whatever gets past this.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from integrations.errors import DocsBuildFailed
from integrations.techdocs.mkdocs_options import (
    EXTENSION_SCHEMAS,
    PLUGIN_SCHEMAS,
    check_options,
    check_unlisted_options,
    inside_path,
)
from integrations.techdocs.mkdocs_yaml import PythonName, RelativePath

__all__ = [
    "ALLOWED_MARKDOWN_EXTENSIONS",
    "ALLOWED_PLUGINS",
    "SanitizedConfig",
    "inside_path",
    "sanitize_mkdocs_config",
]

#: Plugins a repository may use; each has an option schema in mkdocs_options.
ALLOWED_PLUGINS = frozenset(PLUGIN_SCHEMAS)
#: Markdown extensions a repository may use, by name; each has an option schema too.
ALLOWED_MARKDOWN_EXTENSIONS = frozenset(EXTENSION_SCHEMAS)
_THEMES = frozenset({"mkdocs", "readthedocs", "material"})
_THEME_FORBIDDEN = {"custom_dir": "custom templates", "static_templates": "custom templates"}
_KEPT_KEYS = frozenset(
    {
        "site_name", "site_description", "site_author", "copyright", "repo_url", "repo_name",
        "edit_uri", "edit_uri_template", "docs_dir", "nav", "exclude_docs", "not_in_nav",
        "draft_docs", "theme", "plugins", "markdown_extensions", "extra", "extra_css",
        "use_directory_urls", "validation",
    }
)  # fmt: skip
_OURS = frozenset({"site_dir", "site_url", "strict", "dev_addr", "watch", "remote_branch"})
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class SanitizedConfig:
    """The config to build, where its docs live (relative), nav files, and what we removed."""

    config: dict[str, Any]
    docs_dir: str
    nav_files: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    site_name: str = ""
    site_description: str | None = None


@dataclass
class _Policy:
    plugins: frozenset[str]
    extensions: frozenset[str]
    warnings: list[str] = field(default_factory=list)


def sanitize_mkdocs_config(
    raw: dict[str, Any],
    *,
    default_site_name: str,
    site_url: str | None,
    strict: bool,
    extra_plugins: Collection[str] = (),
    extra_extensions: Collection[str] = (),
) -> SanitizedConfig:
    """The safe config, or DocsBuildFailed naming the first thing that cannot be allowed."""
    if "hooks" in raw:
        raise DocsBuildFailed(
            "mkdocs.yml: hooks are not allowed: they would run Python files from the "
            "repository. Remove the `hooks:` key."
        )
    if "INHERIT" in raw:
        raise DocsBuildFailed("mkdocs.yml: INHERIT is not supported; put the settings in one file")
    policy = _Policy(
        plugins=ALLOWED_PLUGINS | frozenset(extra_plugins),
        extensions=ALLOWED_MARKDOWN_EXTENSIONS | frozenset(extra_extensions),
    )
    dropped = sorted(k for k in raw if k not in _KEPT_KEYS and k not in _OURS)
    if dropped:
        policy.warnings.append(
            f"mkdocs.yml: removed unsupported settings: {', '.join(dropped)} "
            "(TechDocs builds allow a subset of mkdocs' options)"
        )
    config = {k: v for k, v in raw.items() if k in _KEPT_KEYS}
    site_name = config.get("site_name")
    if not isinstance(site_name, str) or not site_name.strip():
        policy.warnings.append(f"mkdocs.yml has no site_name; using {default_site_name!r}")
        config["site_name"] = site_name = default_site_name
    docs_dir = inside_path(config.get("docs_dir", "docs"))
    if docs_dir is None or docs_dir == ".":
        raise DocsBuildFailed(
            f"mkdocs.yml: docs_dir {config.get('docs_dir')!r} must be a folder inside the "
            "repository, below mkdocs.yml (absolute paths and ../ are not allowed)"
        )
    config["docs_dir"] = docs_dir
    config["theme"] = _theme(config.get("theme"), policy)
    config["plugins"] = _plugins(config.get("plugins"), policy)
    if "markdown_extensions" in config:
        config["markdown_extensions"] = _extensions(config["markdown_extensions"], policy)
    nav_files = tuple(_nav_files(config.get("nav")))
    config["extra_css"] = [_css(item) for item in _strings(config.get("extra_css"), "extra_css")]
    config["strict"] = strict
    if site_url:
        config["site_url"] = site_url
    description = config.get("site_description")
    return SanitizedConfig(
        config=config,
        docs_dir=docs_dir,
        nav_files=nav_files,
        warnings=tuple(policy.warnings),
        site_name=str(site_name),
        site_description=str(description) if description else None,
    )


def _theme(value: Any, policy: _Policy) -> dict[str, Any]:
    theme = {"name": value} if isinstance(value, str) else dict(value or {"name": "mkdocs"})
    name = theme.get("name")
    if name not in _THEMES:
        raise DocsBuildFailed(
            f"mkdocs.yml: theme {name!r} is not available; use one of {', '.join(sorted(_THEMES))}"
        )
    _check_plain(theme, "theme")
    for key, why in _THEME_FORBIDDEN.items():
        if theme.pop(key, None) is not None:
            policy.warnings.append(f"mkdocs.yml: theme.{key} was removed ({why} can run code)")
    if name == "material":
        theme.setdefault("font", False)  # no fonts fetched from Google by readers' browsers
    return theme


def _named_items(value: Any, what: str) -> Iterator[tuple[str, Any]]:
    """mkdocs accepts ``[name, {name: options}]`` or ``{name: options}``."""
    items = list(value.items()) if isinstance(value, dict) else value
    if not isinstance(items, list):
        raise DocsBuildFailed(f"mkdocs.yml: {what} must be a list")
    for item in items:
        if isinstance(item, str):
            yield item, None
        elif isinstance(item, tuple):
            yield str(item[0]), item[1]
        elif isinstance(item, dict) and len(item) == 1:
            yield next(iter(item.items()))
        else:
            raise DocsBuildFailed(f"mkdocs.yml: cannot read the {what} entry {item!r}")


def _plugins(value: Any, policy: _Policy) -> list[Any]:
    plugins: list[Any] = []
    names = set()
    for name, options in _named_items(value if value is not None else ["search"], "plugins"):
        if name not in policy.plugins:
            raise DocsBuildFailed(
                f"mkdocs.yml: plugin {name!r} is not allowed on this server "
                f"(allowed: {', '.join(sorted(policy.plugins))})"
            )
        options = _options(f"plugin {name}", options, PLUGIN_SCHEMAS.get(name))
        names.add(name)
        plugins.append({name: options} if options else name)
    if not names & {"search", "techdocs-core", "material/search"}:
        plugins.append("search")  # the search index is what `/greenroom docs search` reads
    return plugins


def _extensions(value: Any, policy: _Policy) -> list[Any]:
    extensions: list[Any] = []
    for name, options in _named_items(value or [], "markdown_extensions"):
        if ":" in name:
            raise DocsBuildFailed(
                f"mkdocs.yml: markdown extension {name!r} names a Python callable; "
                "only installed extensions can be used, by name"
            )
        if name not in policy.extensions:
            raise DocsBuildFailed(f"mkdocs.yml: markdown extension {name!r} is not allowed")
        options = _options(f"markdown extension {name}", options, EXTENSION_SCHEMAS.get(name))
        if name == "pymdownx.snippets":
            options["restrict_base_path"] = True
        extensions.append({name: options} if options else name)
    return extensions


def _options(where: str, options: Any, schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """Options checked against the schema, or (for what an operator added) as plain data."""
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise DocsBuildFailed(f"mkdocs.yml: options of {where} must be a mapping")
    if schema is None:
        return dict(check_unlisted_options(where, options))
    return check_options(where, options, schema)


def _check_plain(value: Any, where: str) -> None:
    if isinstance(value, PythonName | RelativePath):
        raise DocsBuildFailed(f"mkdocs.yml: {where} cannot use Python or !relative tags")
    if isinstance(value, dict):
        for item in value.values():
            _check_plain(item, where)
    elif isinstance(value, list):
        for item in value:
            _check_plain(item, where)


def _nav_files(nav: Any) -> Iterator[str]:
    if nav is None:
        return
    _check_plain(nav, "nav")
    for item in nav if isinstance(nav, list) else [nav]:
        target = next(iter(item.values())) if isinstance(item, dict) and len(item) == 1 else item
        if isinstance(target, list):
            yield from _nav_files(target)
        elif isinstance(target, str):
            if _URL.match(target):
                continue
            path = inside_path(target)
            if path is None:
                raise DocsBuildFailed(
                    f"mkdocs.yml: nav entry {target!r} points outside the docs folder; nav "
                    "entries must be files inside it or full URLs"
                )
            yield path
        else:
            raise DocsBuildFailed(f"mkdocs.yml: cannot read the nav entry {item!r}")


def _strings(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DocsBuildFailed(f"mkdocs.yml: {what} must be a list of paths")
    return value


def _css(item: str) -> str:
    if _URL.match(item) or inside_path(item) is not None:
        return item
    raise DocsBuildFailed(f"mkdocs.yml: extra_css {item!r} points outside the docs folder")
