"""The build subprocess:
``python -I _mkdocs_runner.py CONFIG SITE_DIR RESULT strict|lenient namespace|no-namespace``.

Runs as a script (not ``-m``), isolated (``-I``: no PYTHON* variables, no user site, and the
current folder is not importable), so nothing in the staged docs can shadow a module. Before
mkdocs is imported it walls itself in (``_build_sandbox``): its own network namespace when the
kernel allows, and an audit hook refusing the network, files outside the staged repository,
the site and the scratch folder (RESULT's folder), and programs other than Graphviz. mkdocs
logs configuration errors instead of raising them, so every warning and error is captured and
written to RESULT as JSON together with the navigation mkdocs built, which isolation held, and
what the sandbox refused.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import resource
import sys
import sysconfig
from pathlib import Path
from types import ModuleType
from typing import Any

_MAX_RECORDS = 200
_MEMORY_BYTES = 4 * 1024**3
_HERE = Path(__file__).resolve().parent
#: Read-only system files the standard library opens during a build (time zones, devices).
_SYSTEM_FILES = ("/usr/share/zoneinfo", "/etc/localtime", "/dev/null", "/dev/urandom")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[dict[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < _MAX_RECORDS:
            message = record.getMessage()[:2000]
            self.records.append({"level": record.levelname, "message": message})


class _NavRecorder:
    """An mkdocs plugin (by duck typing) that remembers the navigation and the pages."""

    def __init__(self) -> None:
        self.nav: Any = None
        self.files: Any = None
        self.items: list[dict[str, Any]] = []
        self.pages: list[dict[str, str]] = []

    def on_nav(self, nav: Any, config: Any, files: Any) -> Any:
        self.nav, self.files = nav, files
        return nav

    def on_post_build(self, config: Any) -> None:
        if self.nav is not None:
            self.items = [_nav_item(item) for item in self.nav.items]
        if self.files is not None:
            for file in self.files.documentation_pages():
                if file.page is not None:
                    self.pages.append({"url": file.url, "title": str(file.page.title or "")})


def _nav_item(item: Any) -> dict[str, Any]:
    url = getattr(item, "url", None)
    if getattr(item, "is_section", False):
        url = _first_url(item)
    external = bool(getattr(item, "is_link", False))
    return {"title": str(item.title or ""), "url": url or "", "external": external}


def _first_url(section: Any) -> str | None:
    for child in section.children:
        if getattr(child, "is_page", False):
            return str(child.url)
        if getattr(child, "is_section", False) and (found := _first_url(child)):
            return found
    return None


def _limit_resources() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > _MEMORY_BYTES:
        resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_BYTES, hard))


def _load_sandbox() -> ModuleType:
    """``_build_sandbox`` from beside this file (``-I`` keeps this folder off sys.path)."""
    spec = importlib.util.spec_from_file_location("_build_sandbox", _HERE / "_build_sandbox.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _python_roots() -> list[str]:
    """Where this interpreter's own modules live: the standard library and site-packages."""
    paths = sysconfig.get_paths()
    roots = [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    return [*roots, *(p for p in sys.path if Path(p).is_absolute())]


def main(argv: list[str]) -> int:
    config_file, site_dir, result_file, mode = argv[1:5]
    isolation = argv[5] if len(argv) > 5 else "namespace"
    _limit_resources()
    sandbox_module = _load_sandbox()
    network = (
        sandbox_module.enter_network_namespace() if isolation == "namespace" else "not requested"
    )
    scratch = str(Path(result_file).parent)
    sandbox = sandbox_module.BuildSandbox(
        read=[str(Path(config_file).parent), *_python_roots(), str(_HERE), *_SYSTEM_FILES],
        write=[site_dir, scratch],
    )
    sandbox.install()
    capture = _Capture()
    logging.getLogger().addHandler(capture)
    logging.getLogger().setLevel(logging.WARNING)
    result: dict[str, Any] = {
        "ok": False,
        "abort": None,
        "log": capture.records,
        "network": network,
        "refused": sandbox.refused,
    }
    try:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        config = load_config(config_file=config_file, site_dir=site_dir, strict=mode == "strict")
        recorder = _NavRecorder()
        config.plugins["greenroom-nav"] = recorder  # type: ignore[assignment]
        build(config)
        result.update(ok=True, nav=recorder.items, pages=recorder.pages)
    except (Exception, SystemExit) as error:
        name = type(error).__name__
        text = str(error)
        known = {"Abort", "ConfigurationError", "BuildError", "PluginError"}
        result["abort"] = text if name in known else f"{name}: {text}"
    Path(result_file).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
