"""``/greenroom whoami``, and how a Slack user is matched to a catalog User."""

from __future__ import annotations

from tests.scenarios.workspace import ALICE, BOB, CAROL, NO_EMAIL, NOBODY, Workspace


def test_whoami_by_email_lists_teams_and_parents(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("whoami", user=ALICE))
    assert "Alice Archer" in text and "user:alice" in text and "matched by your email" in text
    assert "`group:payments` → `group:acme`" in text
    assert "alice@acme.example" in text


def test_a_user_with_a_slack_id_annotation_is_still_matched_by_email(
    workspace: Workspace,
) -> None:
    text = workspace.text(workspace.ask("whoami", user=BOB))
    assert "Bob Baker" in text and "matched by your email" in text


def test_email_matching_ignores_case(workspace: Workspace) -> None:
    assert "Carol Chen" in workspace.text(workspace.ask("whoami", user=CAROL))


def test_unmapped_caller_learns_how_to_fix_it(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("whoami", user=NOBODY))
    assert "Catalog user:* _none_" in text
    assert "spec.profile.email" in text and "U0NOBODY" in text
    text = workspace.text(workspace.ask("whoami", user=NO_EMAIL))
    assert "_none that I can see_" in text


def test_user_unknown_to_slack_is_still_answered(workspace: Workspace) -> None:
    workspace.slack.fail("users.info", error="user_not_found")
    text = workspace.text(workspace.ask("whoami", user="U0GHOST"))
    assert "user_not_found" in text and "Catalog user:* _none_" in text


def test_slack_500_on_users_info_is_explained_and_asked_again_next_time(
    workspace: Workspace,
) -> None:
    workspace.slack.fail("users.info", status=500, times=3)  # the first try and both retries
    text = workspace.text(workspace.ask("whoami", user=ALICE))
    assert "Slack did not tell me who you are (internal_error)" in text
    assert len(workspace.slack.calls("users.info")) == 3
    text = workspace.text(workspace.ask("whoami", user=ALICE))
    assert "Alice Archer" in text


def test_admins_are_recognised_by_group(serve_greenroom, acme) -> None:  # type: ignore[no-untyped-def]
    workspace = serve_greenroom(admins=["group:acme"])
    assert "You are a greenroom admin." in workspace.text(workspace.ask("whoami", user=ALICE))
    assert "admin" not in workspace.text(workspace.ask("whoami", user=NOBODY))
