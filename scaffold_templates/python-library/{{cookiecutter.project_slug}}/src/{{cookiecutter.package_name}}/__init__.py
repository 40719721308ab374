"""The {{ cookiecutter.project_slug }} library (see README.md)."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.core import describe

__all__ = ["__version__", "describe"]

__version__ = "0.1.0"
