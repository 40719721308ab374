from __future__ import annotations

import pytest

from catalog import validation as v


@pytest.mark.parametrize(
    "name", ["a", "artist-lookup", "Artist_Lookup.v2", "x" * 63, "a1", "LoremService"]
)
def test_valid_entity_names(name: str) -> None:
    assert v.is_valid_entity_name(name)


@pytest.mark.parametrize(
    "name", ["", "x" * 64, "my service", "-leading", "trailing-", "a--b!", "ünïcode", ".dot", 42]
)
def test_invalid_entity_names(name: object) -> None:
    assert not v.is_valid_entity_name(name)


@pytest.mark.parametrize("value", ["default", "team-a", "a1-b2"])
def test_valid_namespaces(value: str) -> None:
    assert v.is_valid_namespace(value)


@pytest.mark.parametrize("value", ["Default", "a_b", "-a", "a-", "x" * 64, ""])
def test_invalid_namespaces(value: str) -> None:
    assert not v.is_valid_namespace(value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("Component", True),
        ("AiResource", True),
        ("x" * 63, True),
        ("1Kind", False),
        ("My-Kind", False),
        ("", False),
        ("x" * 64, False),
    ],
)
def test_kinds(value: str, ok: bool) -> None:
    assert v.is_valid_kind(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("backstage.io/v1alpha1", True),
        ("scaffolder.backstage.io/v1beta3", True),
        ("v1", True),
        ("backstage.io/", False),
        ("Backstage.IO/v1", False),
        ("backstage.io/v1-alpha", False),
        (1, False),
    ],
)
def test_api_versions(value: object, ok: bool) -> None:
    assert v.is_valid_api_version(value) is ok


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("backstage.io/techdocs-ref", True),
        ("simple", True),
        ("a.b/c_d", True),
        ("bad prefix/x", False),
        ("x/", False),
        ("/x", False),
        ("UPPER.io/x", False),
    ],
)
def test_annotation_and_label_keys(key: str, ok: bool) -> None:
    assert v.is_valid_annotation_key(key) is ok
    assert v.is_valid_label_key(key) is ok


def test_label_values_follow_the_name_rule_or_are_empty() -> None:
    assert v.is_valid_label_value("")
    assert v.is_valid_label_value("prod")
    assert not v.is_valid_label_value("has space")


def test_annotation_values_are_any_string() -> None:
    assert v.is_valid_annotation_value("url:https://x/y z?")
    assert not v.is_valid_annotation_value(3)


@pytest.mark.parametrize(
    ("tag", "ok"),
    [
        ("java", True),
        ("c++", True),
        ("c#", True),
        ("web-app", True),
        ("Java", False),
        ("web_app", False),
        ("-x", False),
        ("x" * 64, False),
    ],
)
def test_tags(tag: str, ok: bool) -> None:
    assert v.is_valid_tag(tag) is ok


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/x", True),
        ("mailto:team@example.com", True),
        ("slack://channel?id=C1", True),
        ("example.com", False),
        ("", False),
        ("https://exa mple.com", False),
        ("://x", False),
    ],
)
def test_link_urls(url: str, ok: bool) -> None:
    assert v.is_valid_url(url) is ok
