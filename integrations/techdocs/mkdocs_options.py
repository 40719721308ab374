"""What a repository may tell each allowed plugin and Markdown extension, option by option.

Every allowed plugin and extension has a schema here: the options it may be given and what
each must look like. An option missing from its schema is refused with its name, so a new
release of an extension cannot grow a file-reading or URL-fetching option behind our back.
Options that would make the build fetch a URL, run a program or write outside the site are
listed with the reason and accepted only with their harmless default; paths must stay inside
the repository; Python callables only as the allowlisted ``!!python/name:`` helpers.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Any

from integrations.errors import DocsBuildFailed
from integrations.techdocs.mkdocs_yaml import PythonName, RelativePath

__all__ = [
    "EXTENSION_SCHEMAS",
    "PLUGIN_SCHEMAS",
    "check_options",
    "check_unlisted_options",
    "inside_path",
]

#: ``(where, value) -> value to keep``; raises DocsBuildFailed naming ``where``.
Check = Callable[[str, Any], Any]
Schema = Mapping[str, Check]

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^//")
_NAME = re.compile(r"^[\w.+-]{1,100}$")


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


def _refused(where: str, text: str) -> DocsBuildFailed:
    return DocsBuildFailed(f"mkdocs.yml: {where} {text}")


def _flag(where: str, value: Any) -> Any:
    if isinstance(value, bool) or value in ("true", "false", "True", "False"):
        return value
    raise _refused(where, f"must be true or false, found {value!r}")


def _number(where: str, value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise _refused(where, f"must be a number, found {value!r}")


def _text(where: str, value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise _refused(where, f"must be text, found {value!r}")
    if _URL.match(value.strip()):
        raise _refused(where, f"cannot be a URL ({value!r}): builds never fetch anything")
    return value


def _link(where: str, value: Any) -> Any:
    """Text that only ends up as a link in the page (readers' browsers follow it, not us)."""
    if not isinstance(value, str):
        raise _refused(where, f"must be text, found {value!r}")
    return value


def _name(where: str, value: Any) -> Any:
    if isinstance(value, str) and _NAME.match(value):
        return value
    raise _refused(where, f"must be a name (letters, digits, . + - _), found {value!r}")


def _names(where: str, value: Any) -> Any:
    for item in value if isinstance(value, list) else [value]:
        _name(where, item)
    return value


def _callable(where: str, value: Any) -> Any:
    if isinstance(value, PythonName):
        return value  # the YAML loader already refused every name outside its allowlist
    raise _refused(where, "must be one of the allowed !!python/name: helpers")


def _data(where: str, value: Any) -> Any:
    """Plain values (text, numbers, lists, mappings) that only shape the HTML."""
    if isinstance(value, PythonName | RelativePath):
        raise _refused(where, "cannot use Python or !relative tags")
    if isinstance(value, dict):
        for key, item in value.items():
            _data(f"{where}.{key}", item)
    elif isinstance(value, list):
        for item in value:
            _data(where, item)
    return value


def _repo_path(where: str, value: Any) -> Any:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, RelativePath):
            continue  # the loader refused `..` in !relative
        if not isinstance(item, str) or (item and inside_path(item) is None):
            raise _refused(where, f"{item!r} points outside the repository")
    return value


def _choice(*allowed: object) -> Check:
    def check(where: str, value: Any) -> Any:
        if value in allowed:
            return value
        raise _refused(where, f"must be one of {', '.join(map(repr, allowed))}, found {value!r}")

    return check


def _either(*checks: Check) -> Check:
    def check(where: str, value: Any) -> Any:
        errors: list[DocsBuildFailed] = []
        for candidate in checks:
            try:
                return candidate(where, value)
            except DocsBuildFailed as error:
                errors.append(error)
        raise errors[-1]

    return check


def _off(why: str, *harmless: object) -> Check:
    """An option that is dangerous when used: only its do-nothing values pass."""

    def check(where: str, value: Any) -> Any:
        if value in harmless:
            return value
        raise _refused(where, f"is not allowed: {why}")

    return check


def _nested(schema: Schema) -> Check:
    def check(where: str, value: Any) -> Any:
        if not isinstance(value, dict):
            raise _refused(where, f"must be a mapping, found {value!r}")
        return check_options(where, value, schema)

    return check


def _fences(where: str, value: Any) -> Any:
    fence = _nested({"name": _text, "class": _text, "format": _callable, "validator": _callable})
    if not isinstance(value, list):
        raise _refused(where, "must be a list of fences")
    return [fence(where, item) for item in value]


def check_options(where: str, options: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """``options`` checked against ``schema``; an unknown option fails the build by name."""
    checked: dict[str, Any] = {}
    for key, value in options.items():
        check = schema.get(str(key))
        if check is None:
            known = ", ".join(sorted(schema)) or "none"
            raise _refused(f"{where}:", f"unknown option {key!r} (allowed: {known})")
        checked[str(key)] = check(f"{where}.{key}", value)
    return checked


def check_unlisted_options(where: str, value: Any) -> Any:
    """Options of a plugin or extension the operator added (no schema): plain data, no
    Python tags, no URLs, no paths leaving the repository."""
    if isinstance(value, dict):
        return {k: check_unlisted_options(f"{where}.{k}", v) for k, v in value.items()}
    if isinstance(value, list):
        return [check_unlisted_options(where, item) for item in value]
    if isinstance(value, PythonName | RelativePath):
        raise _refused(where, "cannot use Python or !relative tags")
    if isinstance(value, str):
        _text(where, value)
        if value.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", value):
            raise _refused(where, f"{value!r} points outside the repository")
    return value


_FETCHES = "it makes the build fetch from a server, and builds run without network"
_RUNS = "it runs a program; builds run no programs besides Graphviz"
_WRITES = "it writes files outside the site"

_TOC: Schema = {
    "marker": _text, "title": _text, "title_class": _text, "toc_class": _text,
    "anchorlink": _flag, "anchorlink_class": _text, "permalink": _either(_flag, _text),
    "permalink_class": _text, "permalink_title": _text, "permalink_leading": _flag,
    "baselevel": _either(_number, _text), "slugify": _callable, "separator": _text,
    "toc_depth": _either(_number, _text),
}  # fmt: skip
_FOOTNOTES: Schema = {
    "PLACE_MARKER": _text, "UNIQUE_IDS": _flag, "BACKLINK_TEXT": _text,
    "SUPERSCRIPT_TEXT": _text, "BACKLINK_TITLE": _text, "SEPARATOR": _text,
    "USE_DEFINITION_ORDER": _flag,
}  # fmt: skip
_PYGMENTS: Schema = {
    "use_pygments": _flag, "css_class": _text, "pygments_style": _name, "noclasses": _flag,
    "linenums": _either(_flag, _choice(None)),
    "guess_lang": _either(_flag, _choice("block", "inline")),
}  # fmt: skip
_CODEHILITE: Schema = {
    # Only these: codehilite hands unknown options to Pygments' formatter, whose `full` and
    # `cssfile` write a file anywhere.
    **_PYGMENTS, "lang_prefix": _text, "pygments_formatter": _choice("html"),
}  # fmt: skip
_HIGHLIGHT: Schema = {
    **_PYGMENTS, "linenums_style": _choice("table", "pymdownx-inline", "inline"),
    "linenums_special": _number, "linenums_class": _text, "extend_pygments_lang": _data,
    "language_prefix": _text, "code_attr_on_pre": _flag, "auto_title": _flag,
    "auto_title_map": _data, "line_spans": _text, "anchor_linenums": _flag,
    "line_anchors": _text, "pygments_lang_class": _flag, "stripnl": _flag, "default_lang": _text,
}  # fmt: skip
_TABS: Schema = {
    "alternate_style": _flag, "slugify": _callable, "combine_header_slug": _flag,
    "separator": _text,
}  # fmt: skip
_SUPERFENCES: Schema = {
    "disable_indented_code_blocks": _flag, "custom_fences": _fences, "css_class": _text,
    "preserve_tabs": _flag, "relaxed_headers": _flag,
}  # fmt: skip
_BETTEREM: Schema = {"smart_enable": _choice("all", "asterisk", "underscore", "none")}
_EMOJI_OPTIONS: Schema = {
    "attributes": _data, "classes": _text, "image_path": _link,
    "non_standard_image_path": _link, "custom_icons": _repo_path,
}  # fmt: skip
_SNIPPETS: Schema = {
    "base_path": _repo_path, "auto_append": _repo_path, "encoding": _name,
    "check_paths": _flag, "dedent_subsections": _flag,
    "restrict_base_path": _off("snippets must stay inside the repository", True),
    "url_download": _off(_FETCHES, False),
    "url_request_headers": _off(_FETCHES, {}),
    "url_max_size": _number, "url_timeout": _number, "max_retries": _number,
    "backoff_factor": _number,
}  # fmt: skip
_PLANTUML: Schema = {
    "classes": _text, "alt": _text, "title": _text, "theme": _name,
    "format": _choice("png", "svg", "svg_object", "svg_inline", "txt"),
    "remove_inline_svg_size": _flag, "image_maps": _flag, "priority": _either(_number, _text),
    "encoding": _name, "base_dir": _repo_path, "config": _repo_path,
    "server": _off(_FETCHES, ""), "servers": _off(_FETCHES, []),
    "kroki_server": _off(_FETCHES, "", False, "False", "false"),
    "http_method": _off(_FETCHES, "GET"), "fallback_to_get": _off(_FETCHES, True),
    "insecure": _off(_FETCHES, False), "server_include_whitelist": _off(_FETCHES, []),
    "plantuml_cmd": _off(_RUNS, "plantuml"), "cachedir": _off(_WRITES, ""),
    "puml_notheme_cmdlist": _data,
}  # fmt: skip

_PYTHON_MARKDOWN: dict[str, Schema] = {
    "abbr": {"glossary": _data},
    "admonition": {}, "attr_list": {}, "def_list": {}, "legacy_attrs": {}, "legacy_em": {},
    "md_in_html": {}, "meta": {}, "nl2br": {}, "sane_lists": {},
    "codehilite": _CODEHILITE,
    "fenced_code": {"lang_prefix": _text},
    "footnotes": _FOOTNOTES,
    "smarty": {
        "smart_quotes": _flag, "smart_angled_quotes": _flag, "smart_dashes": _flag,
        "smart_ellipses": _flag, "substitutions": _data,
    },
    "tables": {"use_align_attribute": _flag},
    "toc": _TOC,
    "wikilinks": {
        "base_url": _link, "end_url": _text, "html_class": _text, "build_url": _callable,
    },
}  # fmt: skip
_PYTHON_MARKDOWN["extra"] = {
    name: _nested(_PYTHON_MARKDOWN[name])
    for name in ("fenced_code", "footnotes", "attr_list", "def_list", "tables", "abbr")
} | {"md_in_html": _nested({})}

_PYMDOWNX: dict[str, Schema] = {
    "arithmatex": {
        "tex_inline_wrap": _data, "tex_block_wrap": _data, "smart_dollar": _flag,
        "block_syntax": _data, "inline_syntax": _data, "generic": _flag, "preview": _flag,
        "block_tag": _name, "inline_tag": _name,
    },
    "betterem": _BETTEREM,
    "blocks.admonition": {"types": _data},
    "blocks.details": {"types": _data},
    "blocks.html": {"custom": _data},
    "blocks.tab": _TABS,
    "caret": {"smart_insert": _flag, "insert": _flag, "superscript": _flag},
    "critic": {"mode": _choice("view", "accept", "reject"), "raw_view": _flag},
    "details": {},
    "emoji": {
        "emoji_index": _callable, "emoji_generator": _callable,
        "title": _choice("long", "short", "none"),
        "alt": _choice("unicode", "short", "html_entity"),
        "remove_variation_selector": _flag, "strict": _flag,
        "options": _nested(_EMOJI_OPTIONS),
    },
    "escapeall": {"hardbreak": _flag, "nbsp": _flag},
    "highlight": _HIGHLIGHT,
    "inlinehilite": {
        "style_plain_text": _either(_flag, _text), "css_class": _text,
        "custom_inline": _fences,
    },
    "keys": {
        "separator": _text, "strict": _flag, "class": _text, "camel_case": _flag,
        "key_map": _data,
    },
    "magiclink": {
        "hide_protocol": _flag, "repo_url_shortener": _flag, "social_url_shortener": _flag,
        "shortener_user_exclude": _data, "repo_url_shorthand": _flag,
        "social_url_shorthand": _flag, "provider": _name, "labels": _data,
        "normalize_issue_symbols": _flag, "user": _text, "repo": _text, "custom": _data,
    },
    "mark": {"smart_mark": _flag},
    "progressbar": {"level_class": _flag, "progress_increment": _number, "add_classes": _text},
    "saneheaders": {},
    "smartsymbols": dict.fromkeys(
        (
            "trademark", "copyright", "registered", "plusminus", "arrows", "notequal",
            "fractions", "ordinal_numbers", "care_of",
        ),
        _flag,
    ),
    "snippets": _SNIPPETS,
    "striphtml": {
        "strip_comments": _flag, "strip_attributes": _data, "strip_js_on_attributes": _flag,
    },
    "superfences": _SUPERFENCES,
    "tabbed": _TABS,
    "tasklist": {
        "custom_checkbox": _flag, "clickable_checkbox": _flag, "delete": _flag,
        "subscript": _flag,
    },
    "tilde": {"smart_delete": _flag, "delete": _flag, "subscript": _flag},
}  # fmt: skip
_PYMDOWNX["extra"] = {
    "pymdownx.betterem": _nested(_BETTEREM),
    "pymdownx.superfences": _nested(_SUPERFENCES),
} | {
    f"markdown.extensions.{name}": _nested(_PYTHON_MARKDOWN[name])
    for name in ("footnotes", "attr_list", "def_list", "tables", "abbr", "md_in_html")
}

#: Allowed Markdown extensions and the options each accepts.
EXTENSION_SCHEMAS: Mapping[str, Schema] = {
    **_PYTHON_MARKDOWN,
    **{f"markdown.extensions.{name}": schema for name, schema in _PYTHON_MARKDOWN.items()},
    **{f"pymdownx.{name}": schema for name, schema in _PYMDOWNX.items()},
    # Runs the Graphviz programs, with no network and reading no files (see _build_sandbox).
    "markdown_inline_graphviz": {},
    "plantuml_markdown": _PLANTUML,
    "mdx_truly_sane_lists": {"nested_indent": _number, "truly_sane": _flag},
}


def _redirect_maps(where: str, value: Any) -> Any:
    if not isinstance(value, dict):
        raise _refused(where, "must map old pages to new ones")
    for old, new in value.items():
        if not isinstance(new, str) or _URL.match(new.strip()):
            raise _refused(
                where,
                f"{old!r} -> {new!r}: redirects to other sites are not allowed (the docs "
                "host would send readers anywhere a repository says); link to the page instead",
            )
        for path in (str(old), new.partition("#")[0]):
            if inside_path(path) is None:
                raise _refused(where, f"{path!r} points outside the repository")
    return value


#: Allowed plugins and the options each accepts.
PLUGIN_SCHEMAS: Mapping[str, Schema] = {
    "search": {
        "lang": _names, "separator": _text, "min_search_length": _number,
        "prebuild_index": _off("it runs node or lunr.py as a program", False),
        "indexing": _choice("full", "sections", "titles"),
    },
    "techdocs-core": {"use_material_search": _flag, "use_pymdownx_blocks": _flag},
    "redirects": {"redirect_maps": _redirect_maps},
    "gh-admonitions": {},
    "material/search": {
        "enabled": _flag, "lang": _names, "separator": _text, "pipeline": _data,
        "fields": _data, "jieba_dict": _repo_path, "jieba_dict_user": _repo_path,
    },
    "material/tags": {
        "enabled": _flag, "filters": _data, "tags": _flag, "tags_slugify": _callable,
        "tags_slugify_separator": _text, "tags_slugify_format": _text,
        "tags_hierarchy": _flag, "tags_hierarchy_separator": _text, "tags_sort_by": _callable,
        "tags_sort_reverse": _flag, "tags_name_property": _name, "tags_name_variable": _name,
        "tags_allowed": _data, "listings": _flag, "listings_map": _data,
        "listings_sort_by": _callable, "listings_sort_reverse": _flag,
        "listings_tags_sort_by": _callable, "listings_tags_sort_reverse": _flag,
        "listings_directive": _text, "listings_layout": _name, "listings_toc": _flag,
        "shadow": _flag, "shadow_on_serve": _flag, "shadow_tags": _data,
        "shadow_tags_prefix": _text, "shadow_tags_suffix": _text, "export": _flag,
        "export_file": _repo_path, "export_only": _flag, "tags_file": _repo_path,
    },
    "material/offline": {"enabled": _flag},
    "material/typeset": {"enabled": _flag},
}  # fmt: skip
