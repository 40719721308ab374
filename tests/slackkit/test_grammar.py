"""Reading typed text: Slack's escaping and tokens, odd characters, options."""

from __future__ import annotations

import pytest

from slackkit.grammar import UsageError, clean_text, parse_options


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def test_slack_entities_and_labelled_tokens_become_what_was_typed() -> None:
    assert clean_text("owner a &amp; b &lt;x&gt;") == "owner a & b <x>"
    assert clean_text("team <!subteam^S1|@payments-core>") == "team payments-core"
    assert clean_text("team <#C123|payments>") == "team payments"
    assert clean_text("docs <https://docs.example/x>") == "docs https://docs.example/x"
    assert clean_text("owner <!channel>") == "owner <!channel>"


def test_the_leading_mention_of_the_app_is_dropped() -> None:
    assert clean_text("<@U0BOT> owner x", strip_leading_mention=True) == "owner x"
    assert clean_text("<@U0BOT|greenroom>: help", strip_leading_mention=True) == "help"


def test_control_and_invisible_characters_are_dropped_and_forms_folded() -> None:
    assert clean_text("pay\u200bments\x00-api") == "payments -api"
    assert clean_text(_fullwidth("payments")) == "payments"


def test_too_long_text_is_refused() -> None:
    with pytest.raises(UsageError, match="under 1000 characters"):
        clean_text("x" * 1001)


def test_options_flags_and_values() -> None:
    opts = parse_options(
        ["checkout", "--reverse", "--depth", "3"], flags={"reverse"}, values={"depth"}
    )
    assert opts.rest == "checkout" and "reverse" in opts.flags and opts.values["depth"] == "3"
    assert parse_options(["--depth=all", "x"], values={"depth"}).values == {"depth": "all"}
    with pytest.raises(UsageError, match="--depth needs a value"):
        parse_options(["x", "--depth"], values={"depth"})
    with pytest.raises(UsageError, match="Unknown option --nope"):
        parse_options(["--nope"], flags={"reverse"})
