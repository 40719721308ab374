"""Pieces of the summary that need no cluster."""

from __future__ import annotations

import pytest

from integrations.kubernetes.summary import image_tag


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("registry.globex.example/payments-api:1.4.2", "1.4.2"),
        ("registry.globex.example:5000/team/app:2024.05.1", "2024.05.1"),
        ("registry.globex.example:5000/team/app", "latest"),
        ("nginx", "latest"),
        ("ghcr.io/globex/app@sha256:" + "ab" * 32, "sha256:abababababab"),
    ],
)
def test_image_tag_is_what_people_call_the_version(image: str, tag: str) -> None:
    assert image_tag(image) == tag
