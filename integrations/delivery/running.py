"""What runs: each Kubernetes workload of an entity, the commit its image was built from, and
how far that is behind the default branch.

How an image maps to a commit, first rule that applies:

1. an annotation on the workload or its pod template, ``org.opencontainers.image.revision``
   (the OCI image label, copied into the manifests by the build) or ``greenroom.dev/commit``;
2. a sha tag: the tag is a commit sha (7 to 40 hex digits) or ends in one after ``-``, ``_``
   or ``.`` (``sha-3f2a9c1``, ``1.4.2-3f2a9c1``, ``main.3f2a9c1d``); all digits counts only
   after ``sha-`` or git describe's ``g`` (``20240101`` is a date, ``sha-2024010`` a sha);
3. a version tag that is also a git tag of the repository (``1.4.2``, ``v1.4.2``);
4. otherwise (``latest``, no tag, a digest only) it maps to no commit, and the answer says so.

Registries are not asked: the OCI label inside an image is only seen when the build copies it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from integrations.delivery.models import Comparison, RunningWorkload

__all__ = ["ImageRevision", "main_image", "revision_of", "split_image", "workload_state"]

_SHA_TAG = re.compile(r"(?:^|[-_.])(?P<prefix>sha-|g)?(?P<sha>[0-9a-f]{7,40})$")
_SHA = re.compile(r"^[0-9a-fA-F]{7,40}$")
_FLOATING = {"latest", "main", "master", "stable", "edge", "nightly", "dev"}


@dataclass(frozen=True, slots=True)
class ImageRevision:
    """What to resolve on the host (``ref``, a sha or a tag) and which rule found it; ``note``
    says why there is nothing to resolve."""

    ref: str | None
    mapped_by: str | None
    note: str | None = None


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """``(repository, tag, digest)`` of ``registry/path/name:tag@sha256:...``."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1 :] or None, digest or None
    return name, None, digest or None


def main_image(images: Sequence[str], hints: Sequence[str]) -> str | None:
    """The image of the container that is the service (named like the entity or repository),
    else the first: sidecars (proxies, agents) are not what the repository builds."""
    for image in images:
        repository = split_image(image)[0].rsplit("/", 1)[-1]
        if repository in hints:
            return image
    return images[0] if images else None


def revision_of(image: str, annotation: str | None) -> ImageRevision:
    """Which commit an image says it was built from, by the rules above."""
    if annotation:
        if _SHA.match(annotation):
            return ImageRevision(annotation.lower(), "annotation")
        return ImageRevision(None, None, f"its revision annotation {annotation[:60]!r} is no sha")
    _, tag, digest = split_image(image)
    if tag:
        match = _SHA_TAG.search(tag)
        # all digits is a date or build number, unless the tag says it is a sha
        if match and (match["prefix"] or not match["sha"].isdigit()):
            return ImageRevision(match["sha"], "sha tag")
        if tag.lower() in _FLOATING:
            return ImageRevision(
                None, None, f"tag `{tag}` moves with every build; it names no commit"
            )
        return ImageRevision(tag, "version tag")
    if digest:
        return ImageRevision(
            None,
            None,
            "pinned by digest only: add the org.opencontainers.image.revision annotation",
        )
    return ImageRevision(None, None, "the image has no tag")


def workload_state(
    base: RunningWorkload,
    revision: ImageRevision,
    resolve: Callable[[str], str | None],
    compare: Callable[[str], Comparison | None],
) -> RunningWorkload:
    """The workload with its commit and distance from the default branch filled in
    (``resolve`` maps a sha or tag to a full sha; ``compare`` compares one with the branch)."""
    if revision.ref is None:
        return base.model_copy(update={"note": revision.note})
    sha = resolve(revision.ref)
    if sha is None:
        what = "tag" if revision.mapped_by == "version tag" else "commit"
        note = f"its {revision.mapped_by} `{revision.ref[:40]}` matches no {what} in the repository"
        return base.model_copy(update={"note": note})
    update: dict[str, object] = {"commit": sha, "mapped_by": revision.mapped_by}
    comparison = compare(sha)
    if comparison is not None:
        update["behind_by"] = comparison.ahead_by
        if comparison.behind_by:
            update["note"] = (
                f"runs {comparison.behind_by} commit{'s' if comparison.behind_by != 1 else ''} "
                "that are not on the default branch"
            )
    return base.model_copy(update=update)
