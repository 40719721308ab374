"""The link-preview registry: previewers asked in order, the first answer wins, a failing one
is skipped."""

from __future__ import annotations

from typing import Any

import pytest

from slackkit.link_previews import LinkPreviewRegistry


def test_the_first_previewer_that_answers_wins_and_a_failing_one_is_skipped() -> None:
    registry = LinkPreviewRegistry()

    def broken(url: str) -> dict[str, Any] | None:
        raise RuntimeError("bug")

    registry.add("broken", broken)
    registry.add("docs", lambda url: {"blocks": ["docs"]} if "/docs/" in url else None)
    registry.add("all", lambda url: {"blocks": ["all"]})

    assert registry.preview("https://x.example/docs/a") == {"blocks": ["docs"]}
    assert registry.preview("https://x.example/other") == {"blocks": ["all"]}
    with pytest.raises(ValueError, match="already registered"):
        registry.add("docs", lambda url: None)
