"""Turning an untrusted ``mkdocs.yml`` into a config that is safe to build.

Modelled on Backstage's ``sanitizeMkdocsYml``: only known keys survive (others are dropped with
a warning), ``hooks:`` and ``INHERIT`` are refused, plugins and Markdown extensions must be on
an allowlist (never ``module:callable``), themes cannot bring their own templates, every path
(``docs_dir``, ``nav``, ``extra_css``, extension base paths) must stay inside the repository,
and ``site_dir``/``site_url``/``strict`` are ours. What comes out is plain data for
``mkdocs_yaml.dump_mkdocs_yaml``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from integrations.errors import DocsBuildFailed
from integrations.techdocs.mkdocs_yaml import PythonName, RelativePath

__all__ = [
    "ALLOWED_MARKDOWN_EXTENSIONS",
    "ALLOWED_PLUGINS",
    "SanitizedConfig",
    "inside_path",
    "sanitize_mkdocs_config",
]

ALLOWED_PLUGINS = frozenset(
    {
        "search",
        "techdocs-core",
        "redirects",
        "gh-admonitions",
        "material/search",
        "material/tags",
        "material/offline",
        "material/typeset",
    }
)
_PYTHON_MARKDOWN = {
    "abbr", "admonition", "attr_list", "codehilite", "def_list", "extra", "fenced_code",
    "footnotes", "legacy_attrs", "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists",
    "smarty", "tables", "toc", "wikilinks",
}  # fmt: skip
_PYMDOWNX = {
    "arithmatex", "betterem", "blocks.admonition", "blocks.details", "blocks.html",
    "blocks.tab", "caret", "critic", "details", "emoji", "escapeall", "extra", "highlight",
    "inlinehilite", "keys", "magiclink", "mark", "progressbar", "saneheaders", "smartsymbols",
    "snippets", "striphtml", "superfences", "tabbed", "tasklist", "tilde",
}  # fmt: skip
ALLOWED_MARKDOWN_EXTENSIONS = frozenset(
    _PYTHON_MARKDOWN
    | {f"markdown.extensions.{name}" for name in _PYTHON_MARKDOWN}
    | {f"pymdownx.{name}" for name in _PYMDOWNX}
    | {"markdown_inline_graphviz", "plantuml_markdown", "mdx_truly_sane_lists"}
)
_THEMES = frozenset({"mkdocs", "readthedocs", "material"})
_THEME_FORBIDDEN = {"custom_dir": "custom templates", "static_templates": "custom templates"}
_EXTENSION_FORBIDDEN = {"plantuml_cmd": "runs a command", "url_download": "fetches URLs"}
_PATH_OPTIONS = {"base_path", "base_dir", "auto_append"}
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


def inside_path(value: object) -> str | None:
    """``value`` as a normalised relative POSIX path that stays inside its folder, else None."""
    if not isinstance(value, str) or not value or "\x00" in value or "\\" in value:
        return None
    if value.startswith("/") or re.match(r"^[a-zA-Z]:", value):
        return None
    normal = posixpath.normpath(value)
    if normal == ".." or normal.startswith("../"):
        return None
    return normal


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
        _check_plain(options, f"plugin {name}")
        _check_paths(options, f"plugin {name}")
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
        if options is not None and not isinstance(options, dict):
            raise DocsBuildFailed(f"mkdocs.yml: options of {name} must be a mapping")
        options = _extension_options(name, dict(options or {}), policy)
        extensions.append({name: options} if options else name)
    return extensions


def _extension_options(name: str, options: dict[str, Any], policy: _Policy) -> dict[str, Any]:
    for key, why in _EXTENSION_FORBIDDEN.items():
        if options.pop(key, None) not in (None, False):
            policy.warnings.append(f"mkdocs.yml: {name}.{key} was removed (it {why})")
    for key in _PATH_OPTIONS & options.keys():
        for path in options[key] if isinstance(options[key], list) else [options[key]]:
            if not isinstance(path, RelativePath) and inside_path(path) is None:
                raise DocsBuildFailed(
                    f"mkdocs.yml: {name}.{key} {path!r} points outside the repository"
                )
    if name == "pymdownx.snippets":
        options["restrict_base_path"] = True
    return options


def _check_plain(value: Any, where: str) -> None:
    if isinstance(value, PythonName | RelativePath):
        raise DocsBuildFailed(f"mkdocs.yml: {where} cannot use Python or !relative tags")
    if isinstance(value, dict):
        for item in value.values():
            _check_plain(item, where)
    elif isinstance(value, list):
        for item in value:
            _check_plain(item, where)


def _check_paths(value: Any, where: str) -> None:
    """Plugin options (and mapping keys, e.g. redirect_maps) name files the plugin reads or
    writes: none may be absolute or climb out with ``..``."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_paths(key, where)
            _check_paths(item, where)
    elif isinstance(value, list):
        for item in value:
            _check_paths(item, where)
    elif isinstance(value, str) and not _URL.match(value) and _escapes(value):
        raise DocsBuildFailed(f"mkdocs.yml: {where} option {value!r} points outside the repository")


def _escapes(path: str) -> bool:
    return path.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", path)


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
