from __future__ import annotations

from {{ cookiecutter.package_name }} import __version__, describe


def test_describe_names_the_distribution_and_a_version() -> None:
    name, _, found = describe().partition(" ")
    assert name == "{{ cookiecutter.project_slug }}"
    assert found.count(".") == 2


def test_version_is_semantic() -> None:
    assert all(part.isdigit() for part in __version__.split("."))
