"""The Home tab: the caller's manage page, published on ``app_home_opened``."""

from __future__ import annotations

from tests.scenarios.workspace import ALICE, NOBODY, Workspace


def test_home_shows_my_teams_what_we_own_and_our_catalog_problems(workspace: Workspace) -> None:
    view = workspace.open_home(ALICE)
    assert view["type"] == "home"
    text = workspace.view_text(view)
    assert "Hi Alice Archer" in text
    assert "Payments team" in text and "`group:payments` → `group:acme`" in text
    assert "What you own* (7 entities)" in text
    assert "*Components* (3): deprecated 1 · experimental 1 · production 1" in text
    assert "*APIs* (1): production 1" in text
    assert "legacy-batch` dependsOn" in text and "component:vanished" in text
    assert "component:orphan` is part of your system but has no owner" in text
    assert len(view["blocks"]) <= 100
    assert workspace.slack.home_views[ALICE]["blocks"] == view["blocks"]


def test_home_for_an_unmapped_user_explains_how_to_get_mapped(workspace: Workspace) -> None:
    text = workspace.view_text(workspace.open_home(NOBODY))
    assert "could not match your Slack account to a catalog user" in text
    assert "/greenroom whoami" in text
    assert "What you own" not in text


def test_home_of_a_team_without_problems_says_none(serve_greenroom, write_catalog) -> None:  # type: ignore[no-untyped-def]
    write_catalog(
        """
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: tidy}
        spec: {type: team, children: []}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: User
        metadata: {name: alice}
        spec: {profile: {email: alice@acme.example}, memberOf: [tidy]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: neat}
        spec: {type: service, lifecycle: production, owner: tidy}
        """
    )
    workspace = serve_greenroom()
    text = workspace.view_text(workspace.open_home(ALICE))
    assert "None in what you own." in text and "`component:neat`" in text


def test_other_tabs_publish_nothing(workspace: Workspace) -> None:
    event = {"type": "app_home_opened", "user": ALICE, "channel": "D0HOME", "tab": "messages"}
    assert workspace.post(workspace.requests.event(event)).status_code == 200
    workspace.open_home(ALICE)  # a later home open is the first publish
    assert len(workspace.slack.calls("views.publish")) == 1
