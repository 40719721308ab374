"""Badges next to entities: sources in order, and a failing source never breaks a list."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.badges import BadgeRegistry
from catalog import EntityRef, parse_ref

A, B = parse_ref("component:a"), parse_ref("component:b")


def test_badges_of_every_source_are_joined_in_order() -> None:
    registry = BadgeRegistry()
    registry.add_source("docs", lambda refs: {A: ":books:"}, order=20)
    registry.add_source("k8s", lambda refs: dict.fromkeys(refs, ":red_circle:"), order=10)

    assert registry.for_refs([A, B]) == {A: ":red_circle: :books:", B: ":red_circle:"}


def test_a_failing_source_is_skipped_and_nothing_is_asked_for_no_refs() -> None:
    asked: list[Sequence[EntityRef]] = []

    def broken(refs: Sequence[EntityRef]) -> dict[EntityRef, str]:
        asked.append(refs)
        raise RuntimeError("database down")

    registry = BadgeRegistry()
    registry.add_source("broken", broken)
    registry.add_source("ok", lambda refs: {A: "ok", B: ""})

    assert registry.for_refs([A, B]) == {A: "ok"}
    assert registry.for_refs([]) == {} and len(asked) == 1


def test_a_key_taken_twice_is_a_bug() -> None:
    registry = BadgeRegistry()
    registry.add_source("k8s", lambda refs: {})
    with pytest.raises(ValueError, match="already registered"):
        registry.add_source("k8s", lambda refs: {})
