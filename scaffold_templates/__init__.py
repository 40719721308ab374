"""Cookiecutter templates shipped with greenroom (data, not code)."""
