"""Block Kit builders: escaping, tokens only from validated ids and URLs, limits kept."""

from __future__ import annotations

import pytest

from slackkit import blocks as bk


def test_escape_neutralises_every_mention_and_link_token() -> None:
    text = "a & b <!channel> <@U123> <#C1> <https://x|y>"
    assert bk.escape(text) == (
        "a &amp; b &lt;!channel&gt; &lt;@U123&gt; &lt;#C1&gt; &lt;https://x|y&gt;"
    )


def test_mentions_only_from_slack_user_ids() -> None:
    assert bk.mention("U0ALICE") == "<@U0ALICE>"
    for bad in ("here", "!channel", "U0>x", "<@U1>", "u0alice"):
        with pytest.raises(ValueError):
            bk.mention(bad)


def test_channels_link_by_id_and_show_names_as_text() -> None:
    assert bk.channel("C0PAYMENTS") == "<#C0PAYMENTS>"
    assert bk.channel("#payments") == "#payments"
    assert bk.channel("pay<!here>") == "#pay&lt;!here&gt;"


def test_links_only_for_plain_http_urls() -> None:
    assert bk.link("https://x.example/a", "Runbook") == "<https://x.example/a|Runbook>"
    assert bk.link("https://x.example/a", "a|b<c>") == "<https://x.example/a|a¦b&lt;c&gt;>"
    assert bk.link("https://x|<!channel>", "t") == "t (https://x|&lt;!channel&gt;)"
    assert bk.link("javascript:alert(1)") == "javascript:alert(1)"


def test_texts_are_cut_to_block_kit_limits() -> None:
    assert len(bk.section("x" * 5000)["text"]["text"]) == 3000
    assert len(bk.header("h" * 500)["text"]["text"]) == 150
    assert len(bk.button("b" * 100, "id")["text"]["text"]) == 75
    assert len(bk.context(*["c"] * 20)["elements"]) == 10
    assert bk.mrkdwn("x")["verbatim"] is True


def test_a_button_value_over_the_limit_is_a_bug() -> None:
    with pytest.raises(ValueError):
        bk.button("b", "id", "v" * 2001)


def test_pack_lines_fills_sections_without_splitting_lines() -> None:
    lines = [f"{i:04d}" + "x" * 995 for i in range(7)]
    chunks = bk.pack_lines(lines)
    assert all(len(c) <= 3000 for c in chunks)
    assert "\n".join(chunks).split("\n") == lines
    assert len(chunks) == 3


def test_code_cannot_be_broken_out_of() -> None:
    assert bk.code("a`b<c>") == "`a\u02cbb&lt;c&gt;`"
