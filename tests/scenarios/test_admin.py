"""``admin <action>``: a small router of actions only greenroom admins may run."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.scenarios.workspace import ALICE, CAROL, Workspace

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def ws(serve_greenroom: Callable[..., Workspace], acme: None) -> Workspace:
    return serve_greenroom(admins=["group:payments"])  # Alice and Bob, through their team


def test_admins_see_the_actions_and_everyone_else_is_refused(ws: Workspace) -> None:
    listed = ws.text(ws.ask("admin", user=ALICE))
    assert "*scaffolds* — Recent scaffold runs" in listed
    assert "/greenroom admin scaffolds [--limit N]" in listed
    refused = ws.ask("admin scaffolds", user=CAROL)
    assert "for greenroom admins only" in ws.text(refused)
    assert ws.buttons(refused) == []
    assert "No scaffold runs yet." in ws.text(ws.ask("admin scaffolds", user=ALICE))


def test_an_unknown_action_or_option_says_what_exists(ws: Workspace) -> None:
    typo = ws.text(ws.ask("admin scafolds", user=ALICE))
    assert "There is no admin action 'scafolds'. Did you mean scaffolds?" in typo
    assert "--limit takes a number from 1 to 200" in ws.text(
        ws.ask("admin scaffolds --limit 0", user=ALICE)
    )
    assert "admin" in ws.text(ws.ask("help", user=CAROL))
