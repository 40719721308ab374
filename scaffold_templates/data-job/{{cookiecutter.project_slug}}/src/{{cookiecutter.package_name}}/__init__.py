"""The {{ cookiecutter.project_slug }} job (see README.md)."""

__version__ = "0.1.0"
