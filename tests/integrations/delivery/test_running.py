"""Mapping an image to the commit it was built from (docs/delivery.md, "What is running")."""

from __future__ import annotations

import pytest

from integrations.delivery import RunningWorkload, revision_of, split_image
from integrations.delivery.models import Comparison
from integrations.delivery.running import main_image, workload_state

SHA = "3f2a9c1d4e5b6a7980123456789abcdef0123456"


@pytest.mark.parametrize(
    ("image", "ref", "rule"),
    [
        (f"registry.example/pay:{SHA}", SHA, "sha tag"),
        ("registry.example/pay:sha-3f2a9c1", "3f2a9c1", "sha tag"),
        ("registry.example/pay:sha-1234567", "1234567", "sha tag"),  # all digits, but said so
        ("registry.example/pay:v1.2-3-g1234567", "1234567", "sha tag"),  # git describe
        ("registry.example/pay:1.4.2-3f2a9c1", "3f2a9c1", "sha tag"),
        ("registry.example:5000/team/pay:main.3f2a9c1d", "3f2a9c1d", "sha tag"),
        ("registry.example/pay:1.4.2", "1.4.2", "version tag"),
        ("registry.example/pay:20240101", "20240101", "version tag"),  # all digits: a date
        ("registry.example/pay:1.4.2-20240101", "1.4.2-20240101", "version tag"),
        ("registry.example/pay:v2@sha256:" + "a" * 64, "v2", "version tag"),
    ],
)
def test_tags_that_name_a_commit(image: str, ref: str, rule: str) -> None:
    revision = revision_of(image, None)
    assert (revision.ref, revision.mapped_by) == (ref, rule)


@pytest.mark.parametrize(
    ("image", "note"),
    [
        ("registry.example/pay:latest", "moves with every build"),
        ("registry.example/pay@sha256:" + "b" * 64, "pinned by digest only"),
        ("registry.example:5000/pay", "has no tag"),
    ],
)
def test_images_that_name_no_commit_say_why(image: str, note: str) -> None:
    revision = revision_of(image, None)
    assert revision.ref is None and note in (revision.note or "")


def test_the_revision_annotation_wins_over_the_tag() -> None:
    assert revision_of("r/pay:latest", SHA).mapped_by == "annotation"
    assert "is no sha" in (revision_of("r/pay:1.0", "release one").note or "")


def test_the_service_container_is_chosen_over_sidecars() -> None:
    images = ("envoyproxy/envoy:v1.29", "registry.example/payments-api:1.4.2")
    assert main_image(images, ["payments-api"]) == images[1]
    assert main_image(images, ["other"]) == images[0]
    assert split_image("localhost:5000/a/b") == ("localhost:5000/a/b", None, None)


def test_a_workload_is_compared_with_the_default_branch() -> None:
    base = RunningWorkload(cluster="c", namespace="n", kind="Deployment", name="w", image="i:1.0")
    behind = workload_state(
        base,
        revision_of("i:1.0", None),
        resolve=lambda ref: SHA,
        compare=lambda sha: Comparison(status="ahead", ahead_by=4, behind_by=0),
    )
    assert (behind.commit, behind.behind_by, behind.mapped_by) == (SHA, 4, "version tag")
    unknown = workload_state(base, revision_of("i:9.9", None), lambda ref: None, lambda s: None)
    assert (
        unknown.commit is None
        and unknown.note == "its version tag `9.9` matches no tag in the repository"
    )
