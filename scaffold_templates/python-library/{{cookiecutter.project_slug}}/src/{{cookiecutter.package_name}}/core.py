"""The library's public functions live in modules like this one; replace the example."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "{{ cookiecutter.project_slug }}"


def describe() -> str:
    """Name and version of the installed distribution (source checkouts say ``0.1.0``)."""
    try:
        installed = version(DISTRIBUTION)
    except PackageNotFoundError:
        installed = "0.1.0"
    return f"{DISTRIBUTION} {installed}"
