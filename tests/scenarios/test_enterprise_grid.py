"""Enterprise Grid: a user id belongs to the organisation, not to the workspace a request came from.

In an Enterprise Grid organisation Slack gives a person one user id in every workspace of it,
and adds the organisation's id to every request. greenroom must treat that person as one caller
(one ``users.info``, one cache entry) whichever workspace, and whichever kind of request
(command, click, event), they use; and two plain workspaces must never share a caller.
"""

from __future__ import annotations

from bot.loopback.signed_requests import SignedRequests
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.workspace import ALICE, Workspace

ORG = "E0ACMEORG"


def _workspace_of(workspace: Workspace, team_id: str, enterprise_id: str | None) -> Workspace:
    """Another workspace (of ``enterprise_id``'s organisation, when given) on the same greenroom."""
    requests = SignedRequests(SIGNING_SECRET, team_id=team_id, enterprise_id=enterprise_id)
    return Workspace(workspace.url, workspace.slack, requests, workspace.command_name)


def _users_info_calls(workspace: Workspace) -> list[str]:
    return [c.args["user"] for c in workspace.slack.calls("users.info")]


def test_one_person_across_an_organisations_workspaces_is_resolved_once(
    workspace: Workspace,
) -> None:
    sales = _workspace_of(workspace, "T0SALES", ORG)
    support = _workspace_of(workspace, "T0SUPPORT", ORG)
    for ws in (sales, support):
        text = ws.text(ws.ask("whoami", user=ALICE))
        assert "Alice Archer" in text and "matched by your email" in text
    assert _users_info_calls(workspace) == [ALICE]


def test_a_command_and_a_home_tab_in_another_workspace_reuse_the_organisations_caller(
    workspace: Workspace,
) -> None:
    sales = _workspace_of(workspace, "T0SALES", ORG)
    support = _workspace_of(workspace, "T0SUPPORT", ORG)
    sales.ask("owner payments-api", user=ALICE)
    support.open_home(ALICE)
    assert "Alice" in str(support.slack.wait_for("views.publish")[-1].args)
    assert _users_info_calls(workspace) == [ALICE]


def test_the_same_user_id_in_two_plain_workspaces_is_two_people(workspace: Workspace) -> None:
    first = _workspace_of(workspace, "T0FIRST", None)
    second = _workspace_of(workspace, "T0SECOND", None)
    first.ask("whoami", user=ALICE)
    second.ask("whoami", user=ALICE)
    assert _users_info_calls(workspace) == [ALICE, ALICE]
