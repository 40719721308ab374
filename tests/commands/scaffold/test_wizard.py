"""The scaffolding modal's state in ``private_metadata``: always within Slack's 3000 characters."""

from __future__ import annotations

from commands.scaffold.wizard import WizardState


def test_state_round_trips_through_private_metadata() -> None:
    state = WizardState("python-service", {"name": "ledger", "docker": False})
    assert WizardState.decode(state.encode()) == state


def test_values_too_big_are_dropped_but_never_the_template() -> None:
    values = {f"setting_{i}": "x" * 100 for i in range(40)}
    text = WizardState("python-service", values).encode()
    assert len(text) <= 3000
    assert WizardState.decode(text) == WizardState("python-service")


def test_anything_unreadable_is_an_empty_state() -> None:
    for text in ("", "{", "[1]", '{"t": 3, "v": "x"}', None):
        assert WizardState.decode(text) == WizardState()
