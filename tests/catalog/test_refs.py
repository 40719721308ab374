from __future__ import annotations

import pytest

from catalog import EntityRef, InvalidRef, parse_ref


def test_full_ref_is_lowercased() -> None:
    assert parse_ref("Component:Default/Artist-Lookup") == EntityRef(
        "component", "default", "artist-lookup"
    )


def test_ref_without_namespace_gets_the_default_namespace() -> None:
    assert str(parse_ref("component:petstore")) == "component:default/petstore"


def test_ref_without_namespace_takes_the_referring_entitys_namespace() -> None:
    ref = parse_ref("team-a", default_kind="group", default_namespace="alternative")
    assert str(ref) == "group:alternative/team-a"


def test_explicit_namespace_wins_over_the_referring_one() -> None:
    ref = parse_ref("default/team-a", default_kind="group", default_namespace="alternative")
    assert str(ref) == "group:default/team-a"


def test_missing_kind_without_default_is_an_error_naming_the_fix() -> None:
    with pytest.raises(InvalidRef, match='did not start with "component:"'):
        parse_ref("artists-db")


def test_slash_before_colon_means_there_is_no_kind() -> None:
    ref = parse_ref("ns/name:with-colon", default_kind="group")
    assert ref == EntityRef("group", "ns", "name:with-colon")


@pytest.mark.parametrize("text", ["", "  ", ":name", "component:", "component:/name", "ns/"])
def test_empty_parts_are_errors(text: str) -> None:
    with pytest.raises(InvalidRef):
        parse_ref(text, default_kind="component")


@pytest.mark.parametrize("value", [None, 42, ["a"], {"a": 1}])
def test_non_strings_are_errors(value: object) -> None:
    with pytest.raises(InvalidRef, match="must be a string"):
        parse_ref(value, default_kind="component")


def test_short_form_hides_the_default_namespace_only() -> None:
    assert parse_ref("component:default/x").short == "component:x"
    assert parse_ref("user:development/guest").short == "user:development/guest"
