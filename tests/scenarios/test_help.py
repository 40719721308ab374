"""``/greenroom help``, empty input and unknown subcommands."""

from __future__ import annotations

from tests.scenarios.workspace import Workspace


def test_help_lists_every_subcommand_with_examples_from_the_catalog(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("help"))
    for name in ("owner", "deps", "impact", "team", "find", "whoami", "help"):
        assert f"*{name}*" in text
    assert "/greenroom owner checkout" in text  # the first component of this catalog
    assert "/greenroom team acme" in text


def test_empty_text_gets_help(workspace: Workspace) -> None:
    assert "What greenroom can answer" in workspace.text(workspace.ask(""))
    assert "What greenroom can answer" in workspace.text(workspace.ask("   "))


def test_unknown_subcommand_gets_help_and_a_did_you_mean(workspace: Workspace) -> None:
    reply = workspace.ask("ownr payments-api")
    text = workspace.text(reply)
    assert "I don't know `ownr`" in text and "What greenroom can answer" in text
    assert "owner payments-api" in workspace.buttons(reply)
    answer = workspace.reply(workspace.click(reply, "owner payments-api"))
    assert "Payments team" in workspace.text(answer)


def test_help_follows_the_configured_command_name(serve_greenroom, acme) -> None:  # type: ignore[no-untyped-def]
    workspace = serve_greenroom(command="/portal")
    text = workspace.text(workspace.ask("help"))
    assert "/portal owner" in text and "/greenroom" not in text
